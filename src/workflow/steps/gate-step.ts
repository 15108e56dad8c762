import type { GateStep } from '../format/index.js';
import { renderString } from '../expressions/index.js';
import { RunPausedSignal, StepError, type StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** What a gate step's `output` holds once approved. */
export interface GateOutput {
  readonly approved: true;
  readonly by: string | null;
  readonly comment: string | null;
}

/**
 * `gate`: a human approval. The engine's approver asks at a terminal; without one, the run pauses until
 * someone approves through the API or `flotilla runs approve`, then resumes past the gate. A rejection
 * fails the step (and the run).
 */
export const gateStep: StepType<GateStep> = {
  ...builtinSchema('gate'),
  async execute(step, context) {
    const question = renderString(step.message, context.scope);
    const decision = await context.decide(question);
    if (decision === undefined) throw new RunPausedSignal(context.itemId, question);
    const by = decision.by ?? null;
    const comment = decision.comment ?? null;
    if (!decision.approved) {
      const reason = comment === null ? '' : `: ${comment}`;
      throw new StepError(`${step.id}: rejected${by === null ? '' : ` by ${by}`}${reason}`, {
        output: { approved: false, by, comment },
      });
    }
    const output: GateOutput = { approved: true, by, comment };
    return output;
  },
};
