import { createHash } from 'node:crypto';
import type { StepContext } from '../workflow/index.js';
import { commitOnBranch, type MergeResult } from './merge/index.js';
import type { LeafItem, LeafOutput, PlanLeafStep } from './plan-leaf-step.js';
import type { PlanLeaf } from './types.js';

/** The leaves' diffs a reconciling prompt quotes, at most, in all (an argument must stay under 128 KiB). */
export const RECONCILE_DIFF_BUDGET = 64 * 1024;

/** What the reconciling job did, in a plan's output (`result.reconcile`). */
export interface PlanReconcile {
  /** The conflicting leaves it was handed, in leaf order. */
  readonly leaves: readonly string[];
  readonly job_id: string | null;
  readonly status: string;
  /** Whether its change is on the branch (one commit on top of the merged leaves). */
  readonly applied: boolean;
  /** The files its commit changed. */
  readonly changed_files: readonly string[];
  readonly error: string | null;
}

/** A conflicting leaf as the reconciling prompt shows it. */
interface Conflicted {
  readonly leaf: Pick<PlanLeaf, 'id' | 'path'>;
  readonly files: readonly string[];
  readonly diff: string;
}

/**
 * The prompt of the job that reconciles: the task, what the conflicting leaves were to do and the files
 * they changed (one a line), then their diffs as far as `RECONCILE_DIFF_BUDGET` allows.
 */
export function reconcilePrompt(task: string, conflicted: readonly Conflicted[]): string {
  const files = [...new Set(conflicted.flatMap((one) => one.files))];
  const parts = [
    task,
    '',
    'This change was split by directory and done by several agents at the same time. Their changes are ' +
      'merged in this checkout, except those of the parts below: they overlap changes already merged, ' +
      'and git could not combine them. Redo what each of these parts did, on top of the code as it is ' +
      'now, keeping the changes already here. The files they changed:',
    ...files,
  ];
  let budget = RECONCILE_DIFF_BUDGET;
  for (const { leaf, diff } of conflicted) {
    parts.push('', `Part ${leaf.path} (plan leaf ${leaf.id}) made this change, which was not applied:`);
    if (diff.length <= budget) {
      parts.push('```diff', diff.trimEnd(), '```');
      budget -= diff.length;
    } else {
      parts.push(`(its diff, ${diff.length} bytes, is too long to quote here: redo it from the task)`);
    }
  }
  return parts.join('\n');
}

/** What `reconcile` needs of the plan step. */
export interface ReconcileInput {
  readonly context: StepContext;
  /** The plan step's leaf job settings (`agent`, `repo`, `timeout_s`); `base` is the merged head. */
  readonly leafStep: Omit<PlanLeafStep, 'id' | 'base'>;
  readonly planId: string;
  readonly task: string;
  readonly repository: string;
  readonly leaves: readonly PlanLeaf[];
  /** Each leaf's job output, by leaf index (`null` for a leaf that did not succeed). */
  readonly outputs: readonly (LeafOutput | null)[];
  readonly merged: MergeResult;
}

/**
 * Hands the merge's conflicts to one agent job: a checkout of the merged result (the whole tree), the
 * conflicting leaves' changes in its prompt; its change, when it made one that applies, becomes one more
 * commit on the branch. The job is an item of the run named after the conflicting leaves, so a resumed
 * plan with the same conflicts reads it back instead of running it again.
 */
export async function reconcile(input: ReconcileInput): Promise<{ reconcile: PlanReconcile; head: string }> {
  const { context, merged, leaves } = input;
  const index = new Map(leaves.map((leaf, at) => [leaf.id, at]));
  const conflicted = merged.conflicts.map((conflict) => {
    const at = index.get(conflict.leaf)!;
    return {
      leaf: leaves[at]!,
      files: merged.changed_files[conflict.leaf] ?? conflict.files,
      diff: input.outputs[at]?.diff ?? '',
    };
  });
  const ids = conflicted.map((one) => one.leaf.id);
  const key = createHash('sha256').update(ids.join('\0')).digest('hex').slice(0, 6);
  const item: LeafItem = {
    id: 'reconcile',
    path: '.',
    // The whole tree: the conflicting files lie in several leaves' folders.
    sparse: [],
    prompt: reconcilePrompt(input.task, conflicted),
  };
  const outcome = await context.runItems(
    { ...input.leafStep, id: `reconcile-${key}`, base: merged.head } satisfies PlanLeafStep,
    [item],
    { concurrency: 1, continueOnError: true, retries: 0 },
  );
  const result = outcome.results[0]!;
  const output = result.output as LeafOutput | null;
  const ended = { leaves: ids, job_id: output?.job_id ?? null, status: result.status };
  if (result.status !== 'succeeded' || output === null) {
    const error = result.error ?? 'the reconciling job did not finish';
    return { reconcile: { ...ended, applied: false, changed_files: [], error }, head: merged.head };
  }
  const committed = await commitOnBranch({
    repo: input.repository,
    branch: merged.branch,
    head: merged.head,
    diff: output.diff ?? '',
    message: `plan ${input.planId}: reconcile leaves ${ids.join(', ')}`,
    runId: context.runId,
    signal: context.signal,
  });
  if (committed.kind === 'commit') {
    const applied = { ...ended, applied: true, changed_files: committed.changed, error: null };
    return { reconcile: applied, head: committed.head };
  }
  const error =
    committed.kind === 'unchanged'
      ? 'the reconciling job changed nothing'
      : `its change does not apply: ${committed.error}`;
  return { reconcile: { ...ended, applied: false, changed_files: [], error }, head: merged.head };
}
