import { z } from 'zod';
import type { StepBase, StepType } from '../workflow/index.js';
import { decompose, planId } from './decompose.js';
import { listPlanFiles, requireCommit } from './list-files.js';
import { PlanError } from './plan-error.js';
import type { DecomposeOptions, Decomposition, PlanLeaf } from './types.js';

/**
 * The first thing a `plan` step does, as a step of its own so that its output is stored: which commit the
 * plan starts from and how it splits. A resumed plan reads it back instead of listing the repository
 * again, so its leaves are the same leaves (by index and id) even if the branch moved since.
 */
export interface PlanDecomposeStep extends StepBase {
  readonly type: 'plan-decompose';
  /** The folder to plan over (absolute). */
  readonly dir: string;
  readonly task: string;
  /** The branch, tag or commit to start from. @default HEAD */
  readonly ref?: string;
  readonly bounds: DecomposeOptions;
}

/** A plan as it was decided: its id, where it starts from, and its leaves. */
export interface PlanDecomposition {
  readonly plan: { readonly id: string; readonly task: string; readonly root: string };
  /** The repository's folder (its top level). */
  readonly repository: string;
  /** The commit every leaf starts from (a full sha). */
  readonly commit: string;
  readonly leaves: readonly PlanLeaf[];
  readonly stats: Decomposition['stats'];
}

/** The `plan-decompose` step type (made only by `plan` steps). */
export const planDecomposeStepType: StepType<PlanDecomposeStep> = {
  type: 'plan-decompose',
  madeBy: 'plan',
  fields: z.record(z.string(), z.unknown()),
  async execute(step, context): Promise<PlanDecomposition> {
    const source = requireCommit(
      await listPlanFiles(step.dir, {
        ...(step.ref === undefined ? {} : { ref: step.ref }),
        signal: context.signal,
      }),
      step.dir,
    );
    const { leaves, stats } = decompose(source.files, step.bounds);
    if (leaves.length === 0) {
      throw new PlanError(
        'E_INVALID_ARGUMENT',
        `${step.dir}: git tracks no file here at ${source.commit}`,
        'dir',
      );
    }
    return {
      plan: { id: planId(step.task, leaves), task: step.task, root: step.dir },
      repository: source.root,
      commit: source.commit,
      leaves,
      stats,
    };
  },
};
