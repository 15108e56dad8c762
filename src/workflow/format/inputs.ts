import { describeValue } from '../../config/index.js';
import type { InputDefinition, InputType, WorkflowDefinition } from './definition.js';
import { deepEqual } from '../expressions/index.js';
import { WorkflowInputError } from './workflow-error.js';

/** Every input type, in the order messages list them. */
export const INPUT_TYPES: readonly InputType[] = [
  'string',
  'number',
  'integer',
  'boolean',
  'array',
  'object',
];

const EXPECTED: Readonly<Record<InputType, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

/** `undefined` when `value` is of `type`; otherwise what was expected (`expected an integer`). */
export function checkInputType(value: unknown, type: InputType): string | undefined {
  const fits =
    type === 'string'
      ? typeof value === 'string'
      : type === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : type === 'integer'
          ? Number.isInteger(value)
          : type === 'boolean'
            ? typeof value === 'boolean'
            : type === 'array'
              ? Array.isArray(value)
              : value !== null && typeof value === 'object' && !Array.isArray(value);
  return fits ? undefined : `expected ${EXPECTED[type]}`;
}

/** `undefined` when `value` is one of `allowed` (compared as JSON); otherwise what was expected. */
export function checkInputEnum(value: unknown, allowed: readonly unknown[]): string | undefined {
  if (allowed.some((candidate) => deepEqual(candidate, value))) return undefined;
  return `expected one of: ${allowed.map((candidate) => JSON.stringify(candidate)).join(', ')}`;
}

/** What `resolveInputs` does with the values it is given. */
export interface ResolveInputsOptions {
  /**
   * The values are strings from the command line (`--input k=v`): each is read as its input's type
   * (`"4"` → 4 for a number, `yes` → true for a boolean, JSON for a list or mapping).
   * @default false
   */
  readonly fromStrings?: boolean;
}

/**
 * The inputs a run starts with: the given values checked against the workflow's declarations (type,
 * `enum`), defaults filled in. An input without a value or a default is left out.
 *
 * @throws {WorkflowInputError} naming every unknown input, every bad value and every missing required
 * input; `input` names the first.
 */
export function resolveInputs(
  definition: Pick<WorkflowDefinition, 'inputs'>,
  given: Readonly<Record<string, unknown>>,
  options: ResolveInputsOptions = {},
): Record<string, unknown> {
  const declared = definition.inputs;
  const problems: { input: string; message: string }[] = [];
  const names = Object.keys(declared);

  for (const name of Object.keys(given)) {
    if (Object.hasOwn(declared, name)) continue;
    const known = names.length > 0 ? `declared: ${names.join(', ')}` : 'this workflow declares no inputs';
    problems.push({ input: name, message: `unknown input "${name}" (${known})` });
  }

  const resolved: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(declared)) {
    const raw = Object.hasOwn(given, name) ? given[name] : undefined;
    if (raw === undefined) {
      if (input.default !== undefined) resolved[name] = structuredClone(input.default);
      else if (input.required) problems.push({ input: name, message: missing(name, input) });
      continue;
    }
    const value = options.fromStrings === true && typeof raw === 'string' ? fromString(raw, input.type) : raw;
    const problem =
      checkInputType(value, input.type) ??
      (input.enum === undefined ? undefined : checkInputEnum(value, input.enum));
    if (problem === undefined) resolved[name] = value;
    else problems.push({ input: name, message: `input "${name}": ${problem}, got ${describeValue(raw)}` });
  }

  const [first] = problems;
  if (first === undefined) return resolved;
  if (problems.length === 1) throw new WorkflowInputError(first.message, first.input);
  const lines = problems.map(({ message }) => `  ${message}`);
  throw new WorkflowInputError(
    [`${problems.length} problems with the inputs:`, ...lines].join('\n'),
    first.input,
  );
}

/**
 * `--input k=v` flags as a mapping: the first `=` splits name from value (`k=a=b` → `{ k: 'a=b' }`).
 * @throws {WorkflowInputError} for an item without `=`, with an empty name, or a name given twice.
 */
export function parseInputAssignments(list: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of list) {
    const split = item.indexOf('=');
    if (split <= 0) {
      const message = `--input ${JSON.stringify(item)}: expected NAME=VALUE`;
      throw new WorkflowInputError(message, split === 0 ? undefined : item);
    }
    const name = item.slice(0, split);
    if (Object.hasOwn(result, name)) throw new WorkflowInputError(`input "${name}" is given twice`, name);
    result[name] = item.slice(split + 1);
  }
  return result;
}

/** A command line's string read as `type`; a value that does not read stays a string (and fails the check). */
function fromString(text: string, type: InputType): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'number':
    case 'integer':
      return text.trim() === '' || !Number.isFinite(Number(text)) ? text : Number(text);
    case 'boolean': {
      const word = text.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(word)) return true;
      if (['false', '0', 'no'].includes(word)) return false;
      return text;
    }
    case 'array':
    case 'object':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
  }
}

function missing(name: string, input: InputDefinition): string {
  const about = input.description === undefined ? '' : `: ${input.description}`;
  return `missing required input "${name}" (${input.type})${about}`;
}
