import type { FanInStep } from '../format/index.js';
import type { StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** What a fan-in step's `output` holds. */
export interface FanInOutput {
  /** The output of each step of `wait_for`, in that order. */
  readonly results: readonly unknown[];
  /** By step id, the same outputs. */
  readonly by_step: Readonly<Record<string, unknown>>;
  /** The item outputs of every fan-out in `wait_for`, concatenated in order (successful items only). */
  readonly items: readonly unknown[];
}

/**
 * `fan-in`: gathers the outputs of earlier steps. Steps run in order, so everything in `wait_for` has
 * finished when it runs; a waited step that did not run (a branch not taken) gives `null`.
 */
export const fanInStep: StepType<FanInStep> = {
  ...builtinSchema('fan-in'),
  // eslint-disable-next-line @typescript-eslint/require-await -- the StepType contract is async
  async execute(step, context) {
    const results: unknown[] = [];
    const byStep: Record<string, unknown> = {};
    const items: unknown[] = [];
    for (const id of step.wait_for) {
      const output = context.scope.steps(id)?.output ?? null;
      results.push(output);
      byStep[id] = output;
      for (const result of itemResults(output)) if (result.status === 'succeeded') items.push(result.output);
    }
    const output: FanInOutput = { results, by_step: byStep, items };
    return output;
  },
};

function itemResults(output: unknown): { status: unknown; output: unknown }[] {
  if (output === null || typeof output !== 'object') return [];
  const results = (output as { results?: unknown }).results;
  if (!Array.isArray(results)) return [];
  return results.filter(
    (result): result is { status: unknown; output: unknown } => result !== null && typeof result === 'object',
  );
}
