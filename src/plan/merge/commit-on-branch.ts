import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishBranch, RUN_TRAILER } from './branch.js';
import { commitLeaf } from './leaf-commit.js';

/** What `commitOnBranch` puts on the branch. */
export interface BranchCommitOptions {
  /** The repository's top folder. */
  readonly repo: string;
  /** The branch, without `refs/heads/`; it must point at `head` (the plan's own, just merged). */
  readonly branch: string;
  /** The branch's commit, which `diff` was made from. */
  readonly head: string;
  /** A binary-safe unified diff from `head` (a job's diff); `''` for none. */
  readonly diff: string;
  /** The commit's message; the `Flotilla-Run` trailer is appended. */
  readonly message: string;
  readonly runId: string;
  readonly signal?: AbortSignal | undefined;
}

/** The branch after `commitOnBranch`, or why the diff could not go on it. */
export type BranchCommitResult =
  | { readonly kind: 'commit'; readonly head: string; readonly changed: readonly string[] }
  | { readonly kind: 'unchanged'; readonly head: string }
  | { readonly kind: 'unapplicable'; readonly error: string };

/**
 * One more commit on the plan's branch: `diff` applied onto `head` in a temporary index (the working tree,
 * index and current branch of the repository untouched), then the branch moved from `head` to it in one
 * compare-and-swap (`E_PLAN_BRANCH_EXISTS` when the branch moved meanwhile; nothing is written then).
 */
export async function commitOnBranch(options: BranchCommitOptions): Promise<BranchCommitResult> {
  const { repo, head, runId, signal } = options;
  if (options.diff === '') return { kind: 'unchanged', head };
  const scratch = await mkdtemp(join(tmpdir(), 'flotilla-commit-'));
  try {
    const built = await commitLeaf({
      repo,
      base: head,
      diff: options.diff,
      message: `${options.message.trimEnd()}\n\n${RUN_TRAILER}: ${runId}\n`,
      scratch,
      signal,
    });
    if (built.kind === 'unapplicable') return built;
    if (built.kind === 'unchanged') return { kind: 'unchanged', head };
    await publishBranch(repo, { branch: options.branch, current: head }, built.commit, runId, signal);
    return { kind: 'commit', head: built.commit, changed: built.changed };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
