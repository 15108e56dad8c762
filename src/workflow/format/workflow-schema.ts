import { z } from 'zod';
import { isSingleExpression } from '../expressions/index.js';
import type { InputType } from './definition.js';
import { checkInputEnum, checkInputType, INPUT_TYPES } from './inputs.js';

/*
 * The building blocks of the workflow file's schemas. Each carries the phrase that completes "expected …"
 * in an error, so every message reads `max_concurrency: expected an integer ≥ 1, got "4"` whatever check
 * failed. Nothing is coerced: `"4"` is not a number, `1` is not a string.
 */

/**
 * `schema`, or one `{{ expression }}` with nothing around it: a value of any type, checked by the step
 * type when the step runs (a capability's fields, such as a `qa` step's `workers`).
 */
export function literalOr<T extends z.ZodType>(schema: T, expected: string) {
  const message = `expected ${expected}, or one "{{ expression }}"`;
  return z.union([schema, z.string().refine(isSingleExpression, message)], { error: message });
}

/** An integer ≥ `min`. */
export function count(min: number) {
  return z
    .number({ error: `expected an integer ≥ ${min}` })
    .int()
    .min(min);
}

/** A number of seconds > 0. */
export function seconds() {
  return z.number({ error: 'expected a number of seconds > 0' }).positive();
}

/** A string; `nonEmpty` refuses `""`. */
export function text(nonEmpty = false) {
  return nonEmpty
    ? z.string({ error: 'expected a non-empty string' }).min(1)
    : z.string({ error: 'expected a string' });
}

/** `true` or `false`. */
export function flag() {
  return z.boolean({ error: 'expected true or false' });
}

/** A list of strings; `nonEmpty` refuses `[]`. */
export function stringList(nonEmpty = false) {
  const list = z.array(text(), { error: `expected a ${nonEmpty ? 'non-empty ' : ''}list of strings` });
  return nonEmpty ? list.min(1) : list;
}

/**
 * A strict mapping: an unknown key is an error that lists the keys it could have been. `otherKeys` are
 * keys the caller handles itself (a step's `id`, `type`, `name` and nested steps), listed too.
 */
export function mapping<Shape extends z.ZodRawShape>(shape: Shape, otherKeys: readonly string[] = []) {
  const known = [...otherKeys, ...Object.keys(shape)].join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown key (expected one of: ${known})` : 'expected a mapping',
  });
}

/** The keys the loader reads from every step itself, before its type's own fields. */
export const STEP_KEYS: readonly string[] = ['id', 'type', 'name', 'continue_on_error'];

/**
 * The `fields` schema of a step type: a strict mapping of `shape`, whose unknown-key error lists every key
 * a step of the type may have (`id`, `type`, `name`, the nested fields and `shape`'s own).
 */
export function stepFields<Shape extends z.ZodRawShape>(
  shape: Shape,
  nested: readonly { readonly field: string }[] = [],
) {
  return mapping(shape, [...STEP_KEYS, ...nested.map(({ field }) => field)]);
}

/*
 * The top of a workflow file: everything but the steps themselves, which the loader parses one by one
 * against their types' schemas (`step-schemas.ts`).
 */

/** A workflow's id: letters, digits, `_`, `.` and `-`. */
const WORKFLOW_ID = /^[A-Za-z0-9_.-]+$/;

/** An input's name, as `inputs.NAME` can read it. */
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** One declared input: its type and, if any, default and allowed values, which must fit the type. */
export const inputDefinitionSchema = mapping({
  type: z.enum(INPUT_TYPES as readonly [InputType, ...InputType[]], {
    error: `expected one of: ${INPUT_TYPES.join(', ')}`,
  }),
  description: text().optional(),
  default: z.unknown().optional(),
  required: flag().default(false),
  enum: z.array(z.unknown(), { error: 'expected a non-empty list of allowed values' }).min(1).optional(),
  /** What a terminal asks for a missing input (spec-kit's `prompt`). */
  prompt: text(true).optional(),
}).superRefine((input, context) => {
  const type = input.type;
  input.enum?.forEach((value, index) => {
    const problem = checkInputType(value, type);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, path: ['enum', index] });
  });
  if (input.default === undefined) return;
  const problem =
    checkInputType(input.default, type) ??
    (input.enum === undefined ? undefined : checkInputEnum(input.default, input.enum));
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, path: ['default'] });
});

/** A section that may be empty (`inputs:` with nothing under it): empty is absent. */
function emptyIsAbsent<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (value === null ? undefined : value), schema);
}

/** An agent profile's name as a workflow names it (`integration:`). */
const PROFILE_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * `schema_version`: 1, written as spec-kit writes it too (`"1.0"`, `1.0`, `"1"`). YAML reads `1.0` as the
 * number 1, so only the strings need mapping.
 */
const schemaVersion = z
  .union([z.literal(1), z.literal('1'), z.literal('1.0')], {
    error: 'expected 1 or "1.0" (the only schema version there is)',
  })
  .transform(() => 1 as const);

/**
 * spec-kit's advisory `requires:` block. `integrations` is checked against the configuration's agent
 * profiles where the loader knows them; `speckit_version` is kept and not checked (there is no spec-kit
 * here). `permissions` is refused as spec-kit refuses it: it would promise a sandbox that does not exist.
 */
const requiresSchema = mapping({
  speckit_version: text().optional(),
  integrations: mapping({
    any: stringList(true).optional(),
    all: stringList(true).optional(),
  }).optional(),
  permissions: z
    .never({
      error:
        'not supported: steps run with your rights, there is no capability sandbox to ask for (review the file; guard risky steps with a gate)',
    })
    .optional(),
});

/** The top level of a workflow file, `steps` still raw. */
export const workflowFileSchema = mapping({
  schema_version: schemaVersion,
  workflow: mapping({
    id: z.string({ error: 'expected a workflow id (letters, digits, _, . and -)' }).regex(WORKFLOW_ID),
    name: text().optional(),
    description: text().optional(),
    version: text().optional(),
    author: text().optional(),
    integration: z
      .string({ error: 'expected an agent profile name' })
      .regex(PROFILE_NAME, 'expected an agent profile name (letters, digits, _, . and -)')
      .optional(),
  }),
  requires: emptyIsAbsent(requiresSchema.optional()),
  inputs: emptyIsAbsent(
    z
      .record(z.string().regex(INPUT_NAME), inputDefinitionSchema, {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'expected an input name (letters, digits, _ and -, not starting with a digit or -)'
            : 'expected a mapping of input names to definitions',
      })
      .default({}),
  ),
  steps: z.array(z.unknown(), { error: 'expected a non-empty list of steps' }).min(1),
});

/** A validated top level. */
export type WorkflowFile = z.output<typeof workflowFileSchema>;
