import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapOrdered } from '../../core/index.js';
import { git, gitRaw } from '../../workspace/index.js';
import { PlanError } from '../plan-error.js';
import type { PlanLeaf } from '../types.js';
import { claimBranch, publishBranch, RUN_TRAILER } from './branch.js';
import { commitLeaf, type LeafCommit, type LeafCommitResult } from './leaf-commit.js';
import { compareCodeUnits, scopeViolations } from './scope.js';
import { trialMerge } from './trial-merge.js';

/** How many leaves' commits are built at once (each is a handful of short git processes). */
const BUILD_CONCURRENCY = 4;

/** One leaf's job result, as the merge takes it. */
export interface LeafChange {
  readonly leaf: Pick<PlanLeaf, 'id' | 'files' | 'scope'>;
  /**
   * The leaf job's change: a binary-safe unified diff from `base` (what `git diff --binary` gives, as
   * the job's workspace records it); `''` when it changed nothing.
   */
  readonly diff: string;
}

/** What `mergeLeaves` merges, and where. */
export interface MergeOptions {
  /**
   * The source repository (its top folder, a folder inside it, or a bare repository). Only objects and
   * the result branch are written: its working tree, index, `HEAD` and current branch are never touched.
   */
  readonly repo: string;
  /** The full commit id every leaf started from. */
  readonly base: string;
  /** The result branch, without `refs/heads/` (`flotilla/plan-3f2a1c9d0e`). */
  readonly branch: string;
  /** The leaves' changes, in leaf order: the order they are merged in. Leaf ids are unique. */
  readonly changes: readonly LeafChange[];
  /**
   * The message of a leaf's commit (the trailer is appended to it).
   * @default (leafId) => `Plan leaf ${leafId}`
   */
  readonly message?: (leafId: string) => string;
  /**
   * The run this merge belongs to: written as a `Flotilla-Run: <runId>` trailer in every commit, and how
   * an existing branch made by the same run (a resume merging again) is recognised. Printable ASCII, no
   * spaces.
   */
  readonly runId: string;
  /** Cancels the merge: it rejects with `signal.reason`, and the branch is not written. */
  readonly signal?: AbortSignal;
}

/** A leaf left out because its change overlaps leaves merged before it. */
export interface MergeConflict {
  readonly leaf: string;
  /** The leaves already merged whose changed files are (or contain, or lie in) the conflicting files. */
  readonly with: readonly string[];
  /** The paths git could not merge, sorted. */
  readonly files: readonly string[];
}

/** What `mergeLeaves` did. */
export interface MergeResult {
  readonly branch: string;
  /** The branch's commit: the last applied leaf's, or `base` when nothing was applied. */
  readonly head: string;
  /** The leaves merged onto the branch, one commit each, in leaf order. */
  readonly applied: readonly string[];
  /** The leaves whose diff was empty or changed nothing. */
  readonly unchanged: readonly string[];
  /** The leaves not merged because they conflict with leaves merged before them (never last-writer-wins). */
  readonly conflicts: readonly MergeConflict[];
  /** The leaves whose diff git cannot apply onto `base` at all (corrupt, or not made from `base`). */
  readonly unapplicable: readonly { readonly leaf: string; readonly error: string }[];
  /** The leaves that changed files not theirs to change (see `scopeViolations`); they are merged still. */
  readonly scope_violations: readonly { readonly leaf: string; readonly files: readonly string[] }[];
  /** The files each leaf changed against `base`, sorted; `[]` for an unchanged leaf, absent when unapplicable. */
  readonly changed_files: Readonly<Record<string, readonly string[]>>;
}

/**
 * Merges the leaves' changes onto the result branch, without a working tree (docs/plan.md, "Merging the
 * leaves"):
 *
 * 1. each non-empty diff becomes a commit on top of `base`, built in a temporary index; its changed files
 *    give `changed_files` and `scope_violations` before anything is merged;
 * 2. in leaf order, each leaf's commit is trial-merged (`git merge-tree`) into the result so far: a clean
 *    merge adds one commit to the result, a conflict leaves the leaf out and reports it with the leaves
 *    merged before it that touch the same files;
 * 3. the branch is created, or moved when the same run made it, in one compare-and-swap `update-ref`.
 *
 * Throws `PlanError`: `E_INVALID_ARGUMENT` (a bad `base`, `branch`, `runId` or duplicate leaf id),
 * `E_REPO_UNAVAILABLE` (`repo` is not a git repository), `E_PLAN_BRANCH_EXISTS` (the branch is another
 * run's, or checked out; nothing is changed). A git failure rejects with `WorkspaceError` (`E_GIT`).
 */
export async function mergeLeaves(options: MergeOptions): Promise<MergeResult> {
  const { base, runId, signal, changes } = options;
  checkOptions(options);
  const repo = await repositoryTop(options.repo, signal);
  const baseFound = await gitRaw(repo, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`], { signal });
  if (baseFound.exitCode !== 0 || baseFound.stdout[0] !== base) {
    throw new PlanError('E_INVALID_ARGUMENT', `The base commit ${base} is not a commit of ${repo}`, 'base');
  }
  const claim = await claimBranch(repo, { branch: options.branch, base, runId, signal });
  const messageOf = (leafId: string): string => {
    const text = (options.message ?? defaultMessage)(leafId).trimEnd();
    return `${text === '' ? defaultMessage(leafId) : text}\n\n${RUN_TRAILER}: ${runId}\n`;
  };

  const scratch = await mkdtemp(join(tmpdir(), 'flotilla-merge-'));
  try {
    // 1. Every leaf's commit on top of base, and what it changed.
    const built = await mapOrdered(
      changes,
      (change, index): Promise<LeafCommitResult> | LeafCommitResult =>
        change.diff === ''
          ? { kind: 'unchanged' }
          : commitLeaf({
              repo,
              base,
              diff: change.diff,
              message: messageOf(change.leaf.id),
              scratch: join(scratch, String(index)),
              signal,
            }),
      { concurrency: BUILD_CONCURRENCY, ...(signal === undefined ? {} : { signal }) },
    );
    const unchanged: string[] = [];
    const unapplicable: { leaf: string; error: string }[] = [];
    const violations: { leaf: string; files: string[] }[] = [];
    const changedFiles: Record<string, readonly string[]> = {};
    const commits: { leaf: string; built: LeafCommit }[] = [];
    for (const [index, settled] of built.results.entries()) {
      if (settled.status === 'rejected') throw settled.reason;
      const { leaf } = changes[index]!;
      const result = settled.value;
      if (result.kind === 'unchanged') {
        unchanged.push(leaf.id);
        changedFiles[leaf.id] = [];
      } else if (result.kind === 'unapplicable') {
        unapplicable.push({ leaf: leaf.id, error: result.error });
      } else {
        changedFiles[leaf.id] = result.changed;
        const outside = scopeViolations(leaf, result.changed, result.added);
        if (outside.length > 0) violations.push({ leaf: leaf.id, files: outside });
        commits.push({ leaf: leaf.id, built: result });
      }
    }

    // 2. The trial merges, in leaf order, onto one linear chain.
    let head = base;
    const applied: string[] = [];
    const conflicts: MergeConflict[] = [];
    for (const { leaf, built: leafCommit } of commits) {
      const trial = await trialMerge(repo, head, leafCommit.commit, signal);
      if (trial.clean) {
        const args = ['commit-tree', trial.tree, '-p', head];
        const [commit] = await git(repo, args, { signal, stdin: messageOf(leaf) });
        head = commit!;
        applied.push(leaf);
        continue;
      }
      const appliedFiles = applied.map((id) => ({ id, files: changedFiles[id] ?? [] }));
      // Git names the conflicting paths; should it name none, the overlap with the merged leaves is it.
      const files =
        trial.files.length > 0
          ? [...trial.files].sort(compareCodeUnits)
          : leafCommit.changed.filter((file) => appliedFiles.some((other) => overlaps(other.files, [file])));
      conflicts.push({
        leaf,
        with: appliedFiles.filter((other) => overlaps(other.files, files)).map((other) => other.id),
        files,
      });
    }

    // 3. The branch.
    await publishBranch(repo, claim, head, runId, signal);
    return {
      branch: options.branch,
      head,
      applied,
      unchanged,
      conflicts,
      unapplicable,
      scope_violations: violations,
      changed_files: changedFiles,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function defaultMessage(leafId: string): string {
  return `Plan leaf ${leafId}`;
}

/** Whether a path of `a` is a path of `b`, or a folder holding one (a file/folder conflict). */
function overlaps(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.some((y) => x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`)));
}

/** Refuses what no git call is needed to refuse. */
function checkOptions(options: MergeOptions): void {
  if (typeof options.base !== 'string' || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(options.base)) {
    throw new PlanError(
      'E_INVALID_ARGUMENT',
      `Expected \`base\` to be a full commit id (40 or 64 lowercase hex digits), got ${JSON.stringify(options.base)}`,
      'base',
    );
  }
  if (typeof options.runId !== 'string' || !/^[\x21-\x7e]+$/.test(options.runId)) {
    throw new PlanError(
      'E_INVALID_ARGUMENT',
      `Expected \`runId\` to be printable ASCII without spaces, got ${JSON.stringify(options.runId)}`,
      'runId',
    );
  }
  const seen = new Set<string>();
  for (const { leaf } of options.changes) {
    if (seen.has(leaf.id)) {
      throw new PlanError('E_INVALID_ARGUMENT', `Leaf ${leaf.id} appears twice in \`changes\``, 'changes');
    }
    seen.add(leaf.id);
  }
}

/**
 * The folder git commands run in: the top of the working tree, since `git apply` resolves a diff's paths
 * against the folder it runs in, or the repository itself when it is bare.
 */
async function repositoryTop(repo: string, signal: AbortSignal | undefined): Promise<string> {
  const bare = await gitRaw(repo, ['rev-parse', '--is-bare-repository'], { signal });
  if (bare.exitCode === 0 && bare.stdout[0] === 'true') return repo;
  const top = bare.exitCode === 0 ? await gitRaw(repo, ['rev-parse', '--show-toplevel'], { signal }) : bare;
  if (top.exitCode !== 0 || top.stdout[0] === undefined) {
    throw new PlanError('E_REPO_UNAVAILABLE', `The folder ${repo} is not in a git repository`, 'repo');
  }
  return top.stdout[0];
}
