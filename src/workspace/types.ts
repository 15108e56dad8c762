import type { RepoConfig } from '../config/index.js';

/** The idle checkouts kept per repository, by default. */
export const DEFAULT_POOL_SIZE = 4;
/** How long a repository's `setup` command may run, by default (10 minutes). */
export const DEFAULT_SETUP_TIMEOUT_MS = 600_000;

/** Options of `WorkspaceManager`. */
export interface WorkspaceManagerOptions {
  /** Flotilla's home folder; workspaces live in `<home>/workspaces/<repo-key>/`. */
  readonly home: string;
  /** The repositories workspaces may be made of, by key (the configuration's `repos:`). */
  readonly repos: Readonly<Record<string, RepoConfig>>;
  /**
   * Idle checkouts kept per repository for reuse; `0` removes every checkout on release.
   * @default 4
   */
  readonly poolSize?: number;
  /**
   * Milliseconds a repository's `setup` command may run before it is stopped and the prepare fails.
   * `0` means no limit.
   * @default 600_000
   */
  readonly setupTimeoutMs?: number;
  /**
   * The environment a repository's `setup` command inherits (the runtime's, without Flotilla's secrets).
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What a job asks for. */
export interface WorkspaceRequest {
  /** The job's id: names the branch `flotilla/<jobId>`; letters, digits, `.`, `_` and `-`. */
  readonly jobId: string;
  /** The key of a repository in `repos:`. */
  readonly repo: string;
  /**
   * A branch, tag, full ref name or commit of the repository.
   * @default the repository's configured `ref`, else the source repository's `HEAD`
   */
  readonly ref?: string;
  /**
   * Directories (relative to the repository's root) the checkout holds; besides them, only the files
   * directly in the root and in the folders above them are written (git's sparse checkout, cone mode).
   * An empty list means the whole tree.
   * @default the whole tree
   */
  readonly paths?: readonly string[];
  /** Cancels the prepare: nothing is left behind and the call rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** A job's own checkout, from `prepare` to `release`. */
export interface Workspace {
  readonly jobId: string;
  /** The repository's key. */
  readonly repo: string;
  /** The checkout's folder, where the job runs. */
  readonly path: string;
  /** The ref as asked (or its default: the configured `ref`, else `HEAD`). */
  readonly ref: string;
  /** The commit the checkout started from; `finish` diffs against it. */
  readonly baseCommit: string;
  /** The sparse directories, or `null` for the whole tree. */
  readonly paths: readonly string[] | null;
  /** The warm base (a bare repository) that holds the job's branch: `git fetch <basePath> flotilla/<jobId>`. */
  readonly basePath: string;
  /** Whether the checkout came from the warm pool (reset and cleaned) rather than a fresh checkout. */
  readonly fromPool: boolean;
  readonly timings: {
    /** Milliseconds to have the checkout ready: lock, base refresh, checkout. */
    readonly prepareMs: number;
    /** Milliseconds of the repository's `setup` command; `0` without one. */
    readonly setupMs: number;
  };
}

/** What a job changed, as `finish` found it. */
export interface WorkspaceChange {
  /** A unified diff (binary-safe, `a/` and `b/` prefixes, no rename detection) from the base commit; `''` when nothing changed. */
  readonly diff: string;
  /** The paths added, modified or deleted, sorted. */
  readonly changedFiles: string[];
  /** The commit on the branch, or `null` when nothing changed. */
  readonly commit: string | null;
  /** `flotilla/<jobId>` in the warm base, or `null` when nothing changed. */
  readonly branch: string | null;
}
