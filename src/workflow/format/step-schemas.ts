import { z } from 'zod';
import type { NestedSteps, StepSchema } from './step-schema.js';
import { count, seconds, stepFields, stringList, text } from './workflow-schema.js';

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
    timeout: seconds().optional(),
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
  }).refine((fields) => fields.timeout === undefined || fields.timeout_s === undefined, {
    message: 'give timeout_s or timeout (the same limit, as spec-kit spells it), not both',
    path: ['timeout'],
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

/** What `max_concurrency` may be, for its messages. */
const MAX_CONCURRENCY = 'expected an integer ≥ 1 (or "3", or one "{{ expression }}")';

/** An integer ≥ 1 written as text (`"3"`), as an input or a spec-kit file may give it. */
function wholeNumberText(text: string): boolean {
  return /^\s*\d+\s*$/.test(text) && Number(text) >= 1;
}

/** Text holding an expression: checked when it resolves. */
function isExpression(text: string): boolean {
  return text.includes('{{');
}

const fanOutNested: readonly NestedSteps[] = [{ field: 'step', list: false, optional: false, perItem: true }];

/** `fan-out`: the template `step` once per item, `max_concurrency` at a time. */
export const fanOutStepSchema: StepSchema = {
  type: 'fan-out',
  fields: stepFields(
    {
      items: z.union([z.array(z.unknown()), z.string()], {
        error: 'expected a list or one "{{ expression }}" that evaluates to a list',
      }),
      max_concurrency: z
        .union([count(1), z.string()], { error: MAX_CONCURRENCY })
        .refine((value) => typeof value !== 'string' || isExpression(value) || wholeNumberText(value), {
          error: MAX_CONCURRENCY,
        })
        .default(1),
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
    output: z.record(z.string(), z.unknown(), { error: 'expected a mapping of names to values' }).optional(),
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

/** What a gate may do on a rejection. */
const ON_REJECT = ['abort', 'skip', 'retry'] as const;

/** The choices that reject, as spec-kit reads them (case-insensitive). */
export const REJECT_CHOICES: readonly string[] = ['reject', 'abort'];

/** `gate`: a human decision among `options`. */
export const gateStepSchema: StepSchema = {
  type: 'gate',
  fields: stepFields({
    message: text().default('Approve to continue?'),
    options: stringList(true).default(['approve', 'reject']),
    on_reject: z.enum(ON_REJECT, { error: `expected one of: ${ON_REJECT.join(', ')}` }).default('abort'),
    verdict_input: text(true).optional(),
  }).superRefine((fields, context) => {
    const rejects = fields.options.some((option) => REJECT_CHOICES.includes(option.toLowerCase()));
    if (fields.on_reject !== 'skip' && !rejects) {
      context.addIssue({
        code: 'custom',
        path: ['options'],
        message: `on_reject is ${fields.on_reject}, but no option rejects (add "reject" or "abort")`,
      });
    }
  }),
};

/** A condition: an expression, or a literal `true`/`false`. */
const condition = z.union([z.string(), z.boolean()], {
  error: 'expected an expression ("{{ … }}") or true or false',
});

const switchNested: readonly NestedSteps[] = [
  { field: 'cases', list: true, cases: true, optional: false, perItem: false },
  { field: 'default', list: true, optional: true, perItem: false },
];

/** `switch`: the case named by the expression's value (as text, trimmed), else `default`. */
export const switchStepSchema: StepSchema = {
  type: 'switch',
  fields: stepFields({ expression: z.union([z.string(), z.number(), z.boolean()]) }, switchNested),
  nested: switchNested,
};

/** The iteration bound when a loop gives none, as spec-kit's. */
export const DEFAULT_MAX_ITERATIONS = 10;

const loopNested: readonly NestedSteps[] = [
  { field: 'steps', list: true, optional: false, perItem: false, repeated: true },
];

/** `while` and `do-while`: `steps` again and again, never more than `max_iterations` times. */
function loopSchema(type: 'while' | 'do-while'): StepSchema {
  return {
    type,
    fields: stepFields({ condition, max_iterations: count(1).default(DEFAULT_MAX_ITERATIONS) }, loopNested),
    nested: loopNested,
    innerReferenceFields: ['condition'],
  };
}

/** An agent profile, or one expression that names one when the step runs. */
const integration = text(true).optional();

/** `prompt`: a prompt sent to an agent. */
export const promptStepSchema: StepSchema = {
  type: 'prompt',
  fields: stepFields({ prompt: text(true), integration, timeout_s: seconds().optional() }),
};

/** A spec-kit command's name: `speckit.plan`, `speckit.ai-team.workspace`. */
const COMMAND_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

/** `command`: a spec-kit command sent to an agent as `/COMMAND ARGS`. */
export const commandStepSchema: StepSchema = {
  type: 'command',
  fields: stepFields({
    command: z
      .string({ error: 'expected a command name such as speckit.plan' })
      .regex(COMMAND_NAME, 'expected a command name such as speckit.plan'),
    input: z
      .record(z.string(), z.unknown(), { error: 'expected a mapping (args: "…" and any other values)' })
      .superRefine((input, context) => {
        if (input['args'] === undefined || typeof input['args'] === 'string') return;
        context.addIssue({ code: 'custom', path: ['args'], message: 'expected a string' });
      })
      .default({}),
    integration,
    timeout_s: seconds().optional(),
  }),
};

/**
 * `init`: spec-kit's project bootstrap (`specify init`). Flotilla does not bootstrap spec-kit projects; a
 * file holding one loads (spec-kit's own files keep it behind an `if` that is off by default) and the
 * step fails when it runs, saying so. Its fields are spec-kit's and are not read.
 */
export const initStepSchema: StepSchema = {
  type: 'init',
  fields: z.record(z.string(), z.unknown(), { error: 'expected a mapping' }),
};

/** The step types every workflow may use, in the order messages list them. */
export const BUILTIN_STEP_SCHEMAS: readonly StepSchema[] = [
  shellStepSchema,
  agentStepSchema,
  commandStepSchema,
  promptStepSchema,
  fanOutStepSchema,
  fanInStepSchema,
  ifStepSchema,
  switchStepSchema,
  loopSchema('while'),
  loopSchema('do-while'),
  gateStepSchema,
  initStepSchema,
];
