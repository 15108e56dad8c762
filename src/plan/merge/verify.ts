import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../exec/index.js';
import { git, gitRaw } from '../../workspace/index.js';
import { PlanError } from '../plan-error.js';

/** How many last lines of the verify command's output a `VerifyResult` keeps. */
export const VERIFY_TAIL_LINES = 20;

/** What `verifyResult` runs, and where. */
export interface VerifyOptions {
  /** The source repository; a detached worktree of `commit` is added to it for the run and removed after. */
  readonly repo: string;
  /** The commit to verify (the result branch's head). */
  readonly commit: string;
  /** The repository's verify command (`repos.<key>.verify`): an argv, run without a shell. */
  readonly command: readonly string[];
  /**
   * The whole environment of the command (nothing of ours is added or inherited); its `PATH` is where
   * `command[0]` is looked up.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds the command may run; `0` or absent means no limit. */
  readonly timeoutMs?: number;
  /** Cancels the run: the command's process group is stopped and `verifyResult` rejects with the reason. */
  readonly signal?: AbortSignal;
}

/** How the verify command ended. */
export interface VerifyResult {
  /** Whether it exited with 0 within its time. */
  readonly ok: boolean;
  /** Its exit code; `null` when a signal ended it (a timeout does). */
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** The last `VERIFY_TAIL_LINES` lines of its output, both streams, oldest first. */
  readonly tail: string[];
}

/**
 * Runs the verify command in a temporary detached worktree of `commit`, through `runProcess` (its own
 * process group, stopped whole on timeout or cancel, so nothing it started is left). The worktree is
 * removed afterwards however the run ended (`git worktree remove --force`, then `git worktree prune` for
 * what a killed `git worktree add` may have left). The source repository's working tree, index and
 * branches are not touched.
 *
 * Rejects with `PlanError` (`E_INVALID_ARGUMENT`, field `verify`) for an empty command, `SpawnError` when
 * the command cannot start, `WorkspaceError` (`E_GIT`) when the worktree cannot be made, and
 * `signal.reason` when cancelled.
 */
export async function verifyResult(options: VerifyOptions): Promise<VerifyResult> {
  const { repo, commit, command, signal } = options;
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    typeof command[0] !== 'string' ||
    command[0] === ''
  ) {
    throw new PlanError(
      'E_INVALID_ARGUMENT',
      'Expected the verify command to be a non-empty argv (a list of strings, the program first)',
      'verify',
    );
  }
  signal?.throwIfAborted();
  const scratch = await mkdtemp(join(tmpdir(), 'flotilla-verify-'));
  const tree = join(scratch, 'tree');
  try {
    await git(repo, ['worktree', 'add', '--detach', '--quiet', tree, commit], { signal });
    const result = await runProcess(command, {
      cwd: tree,
      env: options.env,
      tailLines: VERIFY_TAIL_LINES,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(signal === undefined ? {} : { signal }),
    });
    if (result.cancelled) throw signal?.reason ?? new Error('verify was cancelled');
    return {
      ok: result.exitCode === 0 && !result.timedOut,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      tail: result.tail,
    };
  } finally {
    await removeWorktree(repo, tree, scratch);
  }
}

/**
 * Removes the temporary worktree without the caller's signal (cleanup runs after a cancel too). Each step
 * may find nothing to do: `worktree add` may not have started, or have been killed half way.
 */
async function removeWorktree(repo: string, tree: string, scratch: string): Promise<void> {
  await gitRaw(repo, ['worktree', 'remove', '--force', tree]);
  await rm(scratch, { recursive: true, force: true });
  await gitRaw(repo, ['worktree', 'prune']);
}
