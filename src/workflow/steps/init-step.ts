import type { CustomStep } from '../format/index.js';
import { StepError, type StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/**
 * `init`: spec-kit's `specify init`, which Flotilla does not do. The file loads; the step fails when it
 * runs, saying what to do instead (a `continue_on_error` on it lets the run go on, as for any step).
 */
export const initStep: StepType<CustomStep> = {
  ...builtinSchema('init'),
  // eslint-disable-next-line @typescript-eslint/require-await -- the StepType contract is async
  async execute(step) {
    throw new StepError(
      `${step.id}: init steps bootstrap a spec-kit project (specify init), which Flotilla does not do: run \`specify init\` in the project once, then run the workflow without this step`,
    );
  },
};
