import type { z } from 'zod';

/** A field of a step that holds nested steps, which the loader parses and validates as steps. */
export interface NestedSteps {
  /** The field's name in the step's mapping (`step` of a fan-out, `then` and `else` of an `if`). */
  readonly field: string;
  /** `true`: a list of steps; `false`: exactly one step. */
  readonly list: boolean;
  /** A mapping of names to lists of steps (a `switch`'s `cases`); `list` is then `true`. */
  readonly cases?: boolean;
  /** Whether the field may be absent (then it is an empty list). */
  readonly optional: boolean;
  /**
   * Whether the nested steps run once per item, with `item` and `index` in scope (a fan-out's template).
   * Steps outside may not reference steps inside such a field: they run many times.
   */
  readonly perItem: boolean;
  /**
   * Whether the nested steps run again and again (a loop's body): steps outside may not reference them,
   * as for a fan-out's template, but they have no `item`.
   */
  readonly repeated?: boolean;
}

/**
 * What the loader knows of a step type: how to validate a step of it. The engine's `StepType` adds how to
 * run one; later issues (`plan`, `qa`, `suites`) register theirs the same way.
 */
export interface StepSchema {
  /** The value of `type:` in the file. */
  readonly type: string;
  /**
   * Parses the step's own fields: the mapping without `id`, `type`, `name` and the nested fields.
   * Unknown keys are errors (use `z.strictObject`). Defaults are filled in here.
   */
  readonly fields: z.ZodType<Record<string, unknown>>;
  /** The fields that hold nested steps. */
  readonly nested?: readonly NestedSteps[];
  /**
   * Fields whose string values must be one single expression, so that they can evaluate to a non-string
   * (a fan-out's `items`): anything else in such a field is a load-time error.
   */
  readonly singleExpressionFields?: readonly string[];
  /**
   * Fields that hold ids of earlier steps (a fan-in's `wait_for`: one id or a list): the loader checks
   * them like `steps.ID` in an expression (the step exists and ran before this one).
   */
  readonly stepReferenceFields?: readonly string[];
  /**
   * Fields whose expressions may read the steps nested in this one (a loop's `condition` reads its body's
   * latest iteration); elsewhere a step cannot read the steps it holds.
   */
  readonly innerReferenceFields?: readonly string[];
  /**
   * Set for a type that only another step type makes (the `plan` step's leaves): the name of that type.
   * A workflow file that writes such a step is refused at load, saying which type to write instead.
   */
  readonly madeBy?: string;
}
