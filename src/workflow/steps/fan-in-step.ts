import type { FanInStep } from '../format/index.js';
import { renderValue } from '../expressions/index.js';
import type { StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** What a fan-in step's `output` holds (and the names of its `output:` mapping beside these). */
export interface FanInOutput {
  /** The output of each step of `wait_for`, in that order. */
  readonly results: readonly unknown[];
  /** By step id, the same outputs. */
  readonly by_step: Readonly<Record<string, unknown>>;
  /** The item outputs of every fan-out in `wait_for`, concatenated in order (successful items only). */
  readonly items: readonly unknown[];
  readonly [name: string]: unknown;
}

/**
 * `fan-in`: gathers the outputs of earlier steps. Steps run in order, so everything in `wait_for` has
 * finished when it runs; a waited step that did not run (a branch not taken) gives `null`. Its `output:`
 * mapping (spec-kit's) adds fields, each rendered with `fan_in.results` in scope (a mapped name wins, as in spec-kit).
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
      for (const record of itemRecords(output)) if (record.status === 'succeeded') items.push(record.output);
    }
    const scope = { ...context.scope, fan_in: { results } };
    const mapped = Object.entries(step.output ?? {}).map(([name, value]): [string, unknown] => [
      name,
      renderValue(value, scope),
    ]);
    const output: FanInOutput = { results, by_step: byStep, items, ...Object.fromEntries(mapped) };
    return output;
  },
};

/** The records of a fan-out's output (`records`); none for any other output. */
function itemRecords(output: unknown): { status: unknown; output: unknown }[] {
  if (output === null || typeof output !== 'object') return [];
  const records = (output as { records?: unknown }).records;
  if (!Array.isArray(records)) return [];
  return records.filter(
    (record): record is { status: unknown; output: unknown } => record !== null && typeof record === 'object',
  );
}
