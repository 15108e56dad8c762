/**
 * Workspaces: each job's own checkout of a configured repository, made from a warm base and a pool of
 * recycled checkouts, with the job's change as a diff and a fetchable branch afterwards.
 */
export { WorkspaceManager, type WorkspaceManagerState } from './workspace-manager.js';
export { WorkspaceError, type WorkspaceErrorCode } from './workspace-error.js';
export {
  DEFAULT_POOL_SIZE,
  DEFAULT_SETUP_TIMEOUT_MS,
  type Workspace,
  type WorkspaceChange,
  type WorkspaceManagerOptions,
  type WorkspaceRequest,
} from './types.js';
export { git, gitFailure, gitRaw, type GitOptions, type GitResult } from './git.js';
