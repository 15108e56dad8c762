import { git, gitRaw } from '../../workspace/index.js';
import { PlanError } from '../plan-error.js';

/** The trailer every commit of a plan's merge carries, naming its run. */
export const RUN_TRAILER = 'Flotilla-Run';

/** What `claimBranch` found of the result branch, to be given back to `publishBranch`. */
export interface BranchClaim {
  readonly branch: string;
  /** The branch's commit when it already exists; `undefined` when it is to be created. */
  readonly current: string | undefined;
}

/**
 * Checks, before anything is merged, that the result branch may be written: its name is a valid branch
 * name as it is (`git check-ref-format --branch`, which would also expand `@{-1}`: such a name is
 * refused), it is checked out in no worktree of the repository (moving it would change that worktree's
 * `HEAD`), and when it already exists it was made by the same run (its commit carries
 * `Flotilla-Run: <runId>`) or still is `base` (so it holds no commit of anyone's).
 * Throws `PlanError` (`E_INVALID_ARGUMENT` for the name, `E_PLAN_BRANCH_EXISTS` otherwise).
 */
export async function claimBranch(
  repo: string,
  options: { branch: string; base: string; runId: string; signal?: AbortSignal | undefined },
): Promise<BranchClaim> {
  const { branch, signal } = options;
  const checked = await gitRaw(repo, ['check-ref-format', '--branch', branch], { signal });
  if (checked.exitCode !== 0 || checked.stdout[0] !== branch || branch.startsWith('-')) {
    throw new PlanError(
      'E_INVALID_ARGUMENT',
      `Expected the result branch to be a valid git branch name, got ${JSON.stringify(branch)}`,
      'branch',
    );
  }
  const ref = `refs/heads/${branch}`;
  const worktrees = await git(repo, ['worktree', 'list', '--porcelain'], { signal });
  if (worktrees.includes(`branch ${ref}`)) {
    throw new PlanError(
      'E_PLAN_BRANCH_EXISTS',
      `The result branch ${branch} is checked out in a worktree of ${repo}; switch that worktree to ` +
        `another branch, or delete it (\`git branch -D ${branch}\`), then run the plan again`,
      'branch',
    );
  }
  const found = await gitRaw(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { signal });
  if (found.exitCode !== 0) return { branch, current: undefined };
  const current = found.stdout[0]!;
  if (current !== options.base && !(await madeByRun(repo, current, options.runId, signal))) {
    throw new PlanError(
      'E_PLAN_BRANCH_EXISTS',
      `The result branch ${branch} already exists in ${repo} and was not made by this run; nothing was ` +
        `changed. Rename it (\`git branch -m ${branch} <new-name>\`) or delete it ` +
        `(\`git branch -D ${branch}\`), then run the plan again`,
      'branch',
    );
  }
  return { branch, current };
}

/**
 * Points the branch at `head` in one `git update-ref` that names the commit it expects to replace (none
 * for a new branch), so a branch created or moved by someone else meanwhile is refused, not overwritten
 * (`E_PLAN_BRANCH_EXISTS`).
 */
export async function publishBranch(
  repo: string,
  claim: BranchClaim,
  head: string,
  runId: string,
  signal?: AbortSignal,
): Promise<void> {
  if (claim.current === head) return;
  const ref = `refs/heads/${claim.branch}`;
  // An empty old value means "must not exist yet", whatever the hash length of the repository.
  const args = ['update-ref', '-m', `flotilla: plan run ${runId}`, ref, head, claim.current ?? ''];
  const result = await gitRaw(repo, args, { signal });
  if (result.exitCode !== 0) {
    throw new PlanError(
      'E_PLAN_BRANCH_EXISTS',
      `The result branch ${claim.branch} was created or moved in ${repo} while the plan merged; ` +
        `nothing was written to it (git: ${result.tail.join(' | ')})`,
      'branch',
    );
  }
}

/** Whether the commit's message ends with a `Flotilla-Run: <runId>` trailer. */
async function madeByRun(
  repo: string,
  commit: string,
  runId: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  // `cat-file` rather than `log --format`: no user config (signatures, decorations) changes its output.
  const lines = await git(repo, ['cat-file', 'commit', commit], { signal });
  const body = lines.slice(lines.indexOf('') + 1);
  while (body.length > 0 && body.at(-1) === '') body.pop();
  const lastParagraph = body.slice(body.lastIndexOf('') + 1);
  return lastParagraph.includes(`${RUN_TRAILER}: ${runId}`);
}
