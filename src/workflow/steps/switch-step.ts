import type { SwitchStep } from '../format/index.js';
import { renderValue, stringify } from '../expressions/index.js';
import type { StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** The `matched_case` of a switch that ran its `default`, as spec-kit names it. */
export const DEFAULT_CASE = '__default__';

/** What a switch step's `output` holds. */
export interface SwitchOutput {
  /** The case that ran, or `__default__`. */
  readonly matched_case: string;
  /** The expression's value, as it was (not trimmed). */
  readonly expression_value: unknown;
  /** The outputs of the case's steps, by id. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

/**
 * `switch`: evaluates `expression` once and runs the case whose name is its value as text, trimmed (so a
 * shell step's `"approve\n"` matches `approve:`), else `default`. The case's steps are steps of the
 * workflow like any other (stored, resumable, visible as `steps.ID` to later steps).
 */
export const switchStep: StepType<SwitchStep> = {
  ...builtinSchema('switch'),
  async execute(step, context) {
    const value = renderValue(step.expression, context.scope);
    const key = stringify(value).trim();
    const matched = Object.hasOwn(step.cases, key) ? key : DEFAULT_CASE;
    const steps = matched === DEFAULT_CASE ? step.default : step.cases[matched]!;
    const outputs = await context.runSteps(steps);
    const output: SwitchOutput = { matched_case: matched, expression_value: value, outputs };
    return output;
  },
};
