import { z } from 'zod';
import type { NestedSteps, StepSchema } from './step-schema.js';
import { count, flag, seconds, stepFields, stringList, text } from './workflow-schema.js';

/*
 * The built-in step types as the loader validates them, field for field as `definition.ts` declares them.
 * Values that may hold `{{ … }}` are plain strings here; the loader checks the expressions in them.
 */

/** How a shell step's output is read. */
const OUTPUT_FORMATS = ['text', 'lines', 'json'] as const;

/** An environment variable's name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `shell`: one process, an argv list or one `sh -c` line. */
export const shellStepSchema: StepSchema = {
  type: 'shell',
  fields: stepFields({
    run: z.union([text(true), stringList(true)], {
      error: 'expected a non-empty string (run by sh -c) or a non-empty list of strings (an argv)',
    }),
    timeout_s: seconds().optional(),
    output_format: z
      .enum(OUTPUT_FORMATS, { error: `expected one of: ${OUTPUT_FORMATS.join(', ')}` })
      .default('text'),
    env: z
      .record(z.string().regex(ENV_NAME), text(), {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'expected a variable name (letters, digits and _, not starting with a digit)'
            : 'expected a mapping of names to strings',
      })
      .optional(),
    cwd: text(true).optional(),
  }),
};

/** `agent`: an agent job of the job service. */
export const agentStepSchema: StepSchema = {
  type: 'agent',
  fields: stepFields({
    agent: text(true),
    prompt: text(),
    repo: text(true).optional(),
    ref: text(true).optional(),
    paths: stringList().optional(),
    timeout_s: seconds().optional(),
  }),
};

const fanOutNested: readonly NestedSteps[] = [{ field: 'step', list: false, optional: false, perItem: true }];

/** `fan-out`: the template `step` once per item, `max_concurrency` at a time. */
export const fanOutStepSchema: StepSchema = {
  type: 'fan-out',
  fields: stepFields(
    {
      items: z.union([z.array(z.unknown()), z.string()], {
        error: 'expected a list or one "{{ expression }}" that evaluates to a list',
      }),
      max_concurrency: count(1).default(1),
      continue_on_error: flag().default(false),
      retries: count(0).default(0),
      timeout_s: seconds().optional(),
    },
    fanOutNested,
  ),
  nested: fanOutNested,
  singleExpressionFields: ['items'],
};

/** `fan-in`: gathers the outputs of earlier steps. */
export const fanInStepSchema: StepSchema = {
  type: 'fan-in',
  fields: stepFields({
    wait_for: z.preprocess(
      (value) => (typeof value === 'string' ? [value] : value),
      z.array(text(true), { error: 'expected a step id or a non-empty list of step ids' }).min(1),
    ),
  }),
  stepReferenceFields: ['wait_for'],
};

const ifNested: readonly NestedSteps[] = [
  { field: 'then', list: true, optional: false, perItem: false },
  { field: 'else', list: true, optional: true, perItem: false },
];

/** `if`: `then` when the condition holds, `else` otherwise. */
export const ifStepSchema: StepSchema = {
  type: 'if',
  fields: stepFields(
    {
      condition: z.union([z.string(), z.number(), z.boolean()], {
        error: 'expected an expression ("{{ … }}") or a literal (true, false, a number, a string)',
      }),
    },
    ifNested,
  ),
  nested: ifNested,
};

/** `gate`: a human approval. */
export const gateStepSchema: StepSchema = {
  type: 'gate',
  fields: stepFields({
    message: text().default('Approve to continue?'),
  }),
};

/** The step types every workflow may use, in the order messages list them. */
export const BUILTIN_STEP_SCHEMAS: readonly StepSchema[] = [
  shellStepSchema,
  agentStepSchema,
  fanOutStepSchema,
  fanInStepSchema,
  ifStepSchema,
  gateStepSchema,
];
