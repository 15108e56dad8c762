import type { ResolvedConfig } from '../config/index.js';
import type { JobService } from '../jobs/index.js';
import type { Store } from '../store/index.js';
import type { WorkflowEngine } from '../workflow/index.js';

/** How often an open SSE stream sends a comment so that proxies keep it open. */
export const SSE_HEARTBEAT_MS = 15_000;

/** What the HTTP app serves from. */
export interface AppDeps {
  readonly jobs: JobService;
  readonly store: Store;
  /**
   * Drives workflow runs (`/v1/runs`); without it those routes are absent. `startServer` makes one on the
   * app's store and job service when it is not given.
   */
  readonly workflows?: WorkflowEngine;
  readonly config: ResolvedConfig;
  /** The bearer token every route but `/health` requires; none when absent. Never logged. */
  readonly token?: string;
  /** The largest request body accepted; larger gets 413. */
  readonly maxBodyBytes: number;
  /** Ends every open stream (SSE, streamed chat) when aborted: the server is shutting down. */
  readonly signal?: AbortSignal;
  /** @default SSE_HEARTBEAT_MS */
  readonly heartbeatMs?: number;
  /** Told about server faults (500s); refused requests are answers, not faults. @default ignore */
  readonly onServerFault?: (error: unknown) => void;
}
