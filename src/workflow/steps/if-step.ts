import type { IfStep } from '../format/index.js';
import { evaluateCondition } from '../expressions/index.js';
import type { StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** What an `if` step's `output` holds. */
export interface IfOutput {
  readonly branch: 'then' | 'else';
  /** The outputs of the branch's steps, by id. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

/**
 * `if`: runs `then` when the condition holds, `else` otherwise. The branch's steps are steps of the
 * workflow like any other (stored, resumable, visible as `steps.ID` to later steps).
 */
export const ifStep: StepType<IfStep> = {
  ...builtinSchema('if'),
  async execute(step, context) {
    const branch = evaluateCondition(step.condition, context.scope) ? 'then' : 'else';
    const outputs = await context.runSteps(step[branch]);
    const output: IfOutput = { branch, outputs };
    return output;
  },
};
