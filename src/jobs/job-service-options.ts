import type { Environment, ResolvedConfig } from '../config/index.js';
import type { EventBus } from '../events/index.js';
import type { Store } from '../store/index.js';
import type { WorkspaceManager } from '../workspace/index.js';

/** The timeout of a job whose request and profile set none. */
export const DEFAULT_JOB_TIMEOUT_MS = 30 * 60_000;

/** Options of a `JobService`. */
export interface JobServiceOptions {
  readonly store: Store;
  readonly config: ResolvedConfig;
  readonly workspaces: WorkspaceManager;
  /** Receives every event after it is stored. @default a new bus */
  readonly bus?: EventBus;
  /** @default DEFAULT_JOB_TIMEOUT_MS */
  readonly defaultTimeoutMs?: number;
  /**
   * The environment agents inherit, and that `${VAR}` in profiles and `api_key_env` are read from.
   * @default a copy of `process.env` taken when the service is created
   */
  readonly env?: Environment;
}
