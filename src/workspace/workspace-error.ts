import { FlotillaError, type ErrorCode } from '../core/index.js';

/**
 * The codes of `WorkspaceError`:
 * - `E_REPO_UNKNOWN`: the request names a repository that is not in the configuration's `repos:`.
 * - `E_REPO_UNAVAILABLE`: a configured repository's folder is missing or is not a git repository.
 * - `E_REF_UNKNOWN`: the branch, tag or commit does not exist in the repository.
 * - `E_SETUP_FAILED`: the repository's `setup` command failed or timed out in the fresh workspace.
 * - `E_GIT`: a git command failed unexpectedly (its output tail is in the message).
 * - `E_WORKSPACE_STATE`: the manager is not started, or the workspace was already released.
 */
export type WorkspaceErrorCode = Extract<
  ErrorCode,
  'E_REPO_UNKNOWN' | 'E_REPO_UNAVAILABLE' | 'E_REF_UNKNOWN' | 'E_SETUP_FAILED' | 'E_GIT' | 'E_WORKSPACE_STATE'
>;

/** A workspace could not be prepared, finished or released. Callers branch on `code`. */
export class WorkspaceError extends FlotillaError {
  declare readonly code: WorkspaceErrorCode;

  constructor(code: WorkspaceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The repository `key` is not configured; the message names the ones that are. */
export function unknownRepoError(key: string, allowed: readonly string[]): WorkspaceError {
  const list = allowed.length === 0 ? 'none are configured' : `allowed: ${allowed.join(', ')}`;
  return new WorkspaceError(
    'E_REPO_UNKNOWN',
    `Unknown repository ${JSON.stringify(key)} (${list}); add it under \`repos:\` in flotilla.config.yaml`,
  );
}
