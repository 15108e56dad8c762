import type { Environment } from '../../config/index.js';
import { hasCode } from '../../core/index.js';
import {
  loadStorageState,
  parseAuth,
  parseCookie,
  parseHeaders,
  type LoginSelectors,
  type QaAccess,
  type StorageState,
} from '../../qa/index.js';
import { UsageError } from '../errors.js';

/** The flags of `flotilla qa` that say how the crawler gets in. */
export interface QaAccessFlags {
  readonly auth?: string;
  readonly usernameSelector?: string;
  readonly passwordSelector?: string;
  readonly submitSelector?: string;
  readonly storageState?: string;
  readonly cookie: readonly string[];
  readonly header: readonly string[];
}

/**
 * Reads `--auth`, the selectors, `--storage-state`, `--cookie` and `--header`, before anything is
 * launched. Every error names its flag in one line, and quotes no password, header or cookie value and
 * no storage state content.
 * @throws UsageError or InvalidArgumentError (exit 2).
 */
export async function readQaAccess(
  urls: readonly string[],
  flags: QaAccessFlags,
  env: Environment,
  signal: AbortSignal,
): Promise<QaAccess> {
  if (flags.auth !== undefined && flags.storageState !== undefined) {
    throw new UsageError(
      '--auth and --storage-state cannot be used together: log in with one, or reuse a saved session',
    );
  }
  const selectors: LoginSelectors = {
    ...(flags.usernameSelector === undefined ? {} : { usernameSelector: flags.usernameSelector }),
    ...(flags.passwordSelector === undefined ? {} : { passwordSelector: flags.passwordSelector }),
    ...(flags.submitSelector === undefined ? {} : { submitSelector: flags.submitSelector }),
  };
  const [selector] = Object.keys(selectors);
  if (flags.auth === undefined && selector !== undefined) {
    throw new UsageError(`--${selector.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --auth`);
  }
  const credentials = flags.auth === undefined ? undefined : parseAuth(flags.auth, env);
  const headers = parseHeaders(flags.header);
  const cookies = flags.cookie.flatMap((text) => parseCookie(text, urls));
  let storageState: StorageState | undefined;
  if (flags.storageState !== undefined) {
    try {
      storageState = await loadStorageState(flags.storageState, signal);
    } catch (error) {
      if (!hasCode(error, 'E_INVALID_ARGUMENT')) throw error;
      throw new UsageError(`--storage-state: ${(error as Error).message}`);
    }
  }
  return {
    pool: {
      ...(storageState === undefined ? {} : { storageState }),
      ...(flags.header.length === 0 ? {} : { headers }),
      ...(cookies.length === 0 ? {} : { cookies }),
    },
    ...(credentials === undefined ? {} : { login: { credentials, selectors } }),
  };
}
