import { z } from 'zod';
import { runAgentJob, StepError, type AgentOutput, type StepBase, type StepType } from '../workflow/index.js';

/**
 * The step a `plan` step runs once per leaf (through the fan-out machinery, so each leaf is an item of
 * the run: stored, resumed, cancelled like one). Only a `plan` step makes it; a workflow file cannot.
 */
export interface PlanLeafStep extends StepBase {
  readonly type: 'plan-leaf';
  readonly agent: string;
  /** The configured repository the leaves check out. */
  readonly repo: string;
  /** The commit every leaf starts from. */
  readonly base: string;
  readonly timeout_s?: number;
}

/** What a leaf item is given (its `item`). */
export interface LeafItem {
  readonly id: string;
  readonly path: string;
  readonly sparse: readonly string[];
  readonly prompt: string;
}

/** A leaf's stored output: its job's, with the leaf's id. */
export interface LeafOutput extends AgentOutput {
  readonly leaf: string;
}

/** The `plan-leaf` step type: one agent job in a sparse checkout of the leaf's folders, from the plan's base. */
export const planLeafStepType: StepType<PlanLeafStep, 'jobs'> = {
  type: 'plan-leaf',
  madeBy: 'plan',
  // Never parsed from a file (`madeBy`): the plan step writes these fields itself.
  fields: z.record(z.string(), z.unknown()),
  needs: ['jobs'],
  async execute(step, context, { jobs }) {
    const item = context.scope.item as LeafItem;
    const request = {
      agent: step.agent,
      prompt: item.prompt,
      repo: step.repo,
      ref: step.base,
      // No folder (a leaf of root files only): the whole tree, since `paths: []` asks for no sparse checkout.
      ...(item.sparse.length === 0 ? {} : { paths: item.sparse }),
      ...(step.timeout_s === undefined ? {} : { timeout_s: step.timeout_s }),
      // The leaf's checkout is sparse: the plan verifies the merged result, not each part.
      verify: false,
      metadata: { plan_leaf: item.id },
    };
    try {
      const { output } = await runAgentJob(jobs, request, context, `leaf ${item.id}`);
      return { leaf: item.id, ...output } satisfies LeafOutput;
    } catch (error) {
      if (!(error instanceof StepError) || error.output === undefined) throw error;
      throw new StepError(error.message, {
        status: error.status,
        output: { leaf: item.id, ...(error.output as AgentOutput) } satisfies LeafOutput,
        cause: error,
      });
    }
  },
};
