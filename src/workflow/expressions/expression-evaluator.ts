import type { CompareOperator, ExpressionNode, FilterName, PathRoot } from './expression-parser.js';
import { ExpressionError } from './expression-error.js';

/** What a step's expressions can see of an earlier step. */
export interface StepView {
  readonly output: unknown;
  readonly status?: string;
}

/**
 * What an expression can read. `steps` is a lookup, so the engine can chain scopes: a fan-out's item
 * sees its own inner steps first, then the run's.
 */
export interface ExpressionScope {
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The step with this id, once it ran (or while it runs); `undefined` when it has not. */
  readonly steps: (id: string) => StepView | undefined;
  /** Inside a fan-out's template: the current item. */
  readonly item?: unknown;
  /** Inside a fan-out's template: the current item's 0-based index. */
  readonly index?: number;
  /** The run's own facts (`context.run_id`, `context.workflow_dir`); without it `context.x` is undefined. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** In a fan-in step's `output:` mapping: what the fan-in gathered (`fan_in.results`). */
  readonly fan_in?: unknown;
}

/**
 * Python-like truthiness: `false`, `0`, `NaN`, `''`, `null`, `undefined`, an empty list and an empty
 * mapping are false; everything else is true.
 */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/**
 * Equality as JSON sees it, without type coercion: `1 == '1'` is false, lists and mappings compare by
 * contents. A missing value (`undefined`) equals `null`.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b || ((a === null || a === undefined) && (b === null || b === undefined))) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => deepEqual(item, b[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]));
}

/** A value as text: strings as they are, `null`/`undefined` as `''`, lists and mappings as JSON. */
export function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

/** Evaluates a parsed expression against a scope. @throws {ExpressionError} on a type error. */
export function evaluate(node: ExpressionNode, scope: ExpressionScope): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'path':
      return readPath(node.root, node.segments, scope);
    case 'list':
      return node.items.map((item) => evaluate(item, scope));
    case 'not':
      return !isTruthy(evaluate(node.operand, scope));
    case 'logical': {
      const left = isTruthy(evaluate(node.left, scope));
      if (node.op === 'and' ? !left : left) return left;
      return isTruthy(evaluate(node.right, scope));
    }
    case 'compare':
      return compare(node.op, evaluate(node.left, scope), evaluate(node.right, scope), node.offset);
    case 'filter':
      return applyFilter(
        node.name,
        evaluate(node.input, scope),
        node.args.map((arg) => evaluate(arg, scope)),
        node.offset,
      );
  }
}

function readPath(root: PathRoot, segments: readonly (string | number)[], scope: ExpressionScope): unknown {
  let value: unknown;
  let rest = segments;
  if (root === 'steps') {
    // The parser made sure the first segment is a step id.
    value = scope.steps(String(segments[0]));
    rest = segments.slice(1);
  } else {
    value = scope[root];
  }
  for (const segment of rest) {
    value = member(value, segment);
    if (value === undefined) return undefined;
  }
  return value;
}

/** `value[segment]`, own properties only (never `constructor` or `__proto__`); a miss is `undefined`. */
function member(value: unknown, segment: string | number): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    return typeof segment === 'number' && Number.isInteger(segment) ? value[segment] : undefined;
  }
  const key = String(segment);
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * A comparison. `==` and `!=` are strict, with no coercion (`1 == '1'` is false, as JSON sees it).
 * `<`, `<=`, `>`, `>=` compare numbers, or numeric strings as numbers (captured output is text, so
 * `"10" > '9'` and `"10" > 9` are true, as in spec-kit); two other strings compare as strings; any other
 * mix is an error. `in` and `not in` never throw (see `contains`).
 */
function compare(op: CompareOperator, left: unknown, right: unknown, offset: number): boolean {
  switch (op) {
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case 'in':
      return contains(right, left);
    case 'not in':
      return !contains(right, left);
  }
  const [leftNumber, rightNumber] = [asNumber(left), asNumber(right)];
  let a: number | string;
  let b: number | string;
  if (leftNumber !== undefined && rightNumber !== undefined) [a, b] = [leftNumber, rightNumber];
  else if (typeof left === 'string' && typeof right === 'string') [a, b] = [left, right];
  else {
    const message = `cannot compare ${kindOf(left)} with ${kindOf(right)} using '${op}' (both must be numbers or both strings)`;
    throw new ExpressionError(message, offset + 1);
  }
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  if (op === '>') return a > b;
  return a >= b;
}

/** A plain decimal, maybe signed, maybe with an exponent; never hex, octal, binary or `Infinity`. */
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number as it is; a string that is a finite number after trimming (`" 3.5 "`) as that number. */
function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!NUMERIC.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * `needle in haystack`: a substring of a string, an item of a list, a key of a mapping. Anything else
 * (a number, a boolean, `null`, a non-string needle in a string) is false, never an error, as spec-kit
 * reads a type error in `in` as false.
 */
function contains(haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === 'string') return typeof needle === 'string' && haystack.includes(needle);
  if (Array.isArray(haystack)) return haystack.some((item) => deepEqual(item, needle));
  if (haystack !== null && typeof haystack === 'object') {
    return typeof needle === 'string' && Object.hasOwn(haystack, needle);
  }
  return false;
}

function applyFilter(name: FilterName, value: unknown, args: readonly unknown[], offset: number): unknown {
  const wrongKind = (expected: string): never => {
    throw new ExpressionError(`filter '${name}' expects ${expected}, got ${kindOf(value)}`, offset + 1);
  };
  switch (name) {
    case 'contains':
      return containsFilter(value, args[0], offset);
    case 'from_json':
      return fromJson(value, offset);
    case 'map':
      return mapAttribute(value, args[0], offset);
    case 'default':
      return value === null || value === undefined || value === '' ? args[0] : value;
    case 'length':
      if (value === null || value === undefined) return 0;
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      if (typeof value === 'object') return Object.keys(value).length;
      return wrongKind('a string, a list or a mapping');
    case 'join':
      if (value === null || value === undefined) return '';
      if (!Array.isArray(value)) return wrongKind('a list');
      return value.map(stringify).join(args.length > 0 ? stringify(args[0]) : ',');
    case 'json':
      return JSON.stringify(value) ?? 'null';
    case 'keys':
      if (value === null || value === undefined) return [];
      if (typeof value !== 'object' || Array.isArray(value)) return wrongKind('a mapping');
      return Object.keys(value);
    case 'lower':
      return stringify(value).toLowerCase();
    case 'upper':
      return stringify(value).toUpperCase();
    case 'trim':
      return stringify(value).trim();
  }
}

/**
 * `value | contains(x)`: a substring of a string (x must be a string), an item of a list (deep-equal);
 * anything else, `null` included, contains nothing.
 */
function containsFilter(value: unknown, needle: unknown, offset: number): boolean {
  if (typeof value === 'string') {
    if (typeof needle === 'string') return value.includes(needle);
    const message = `filter 'contains' on a string needs a string argument, got ${kindOf(needle)}`;
    throw new ExpressionError(message, offset + 1);
  }
  if (Array.isArray(value)) return value.some((item) => deepEqual(item, needle));
  return false;
}

/**
 * `list | map('a.b')`: each mapping's attribute at the dotted path (a miss is `null`, as JSON has no
 * undefined); an item that is not a mapping stays itself; a value that is not a list maps to `[]`.
 */
function mapAttribute(value: unknown, path: unknown, offset: number): unknown[] {
  if (typeof path !== 'string' || path === '') {
    const message = `filter 'map' needs an attribute name such as 'id' or 'a.b', got ${kindOf(path)}`;
    throw new ExpressionError(message, offset + 1);
  }
  if (!Array.isArray(value)) return [];
  const segments = path.split('.');
  return value.map((item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    let found: unknown = item;
    for (const segment of segments) found = member(found, segment);
    return found ?? null;
  });
}

/** `text | from_json`. The message shows at most 40 characters of the text: it may be long or secret. */
function fromJson(value: unknown, offset: number): unknown {
  if (typeof value !== 'string') {
    throw new ExpressionError(`filter 'from_json' expects a string, got ${kindOf(value)}`, offset + 1);
  }
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    // V8's own message quotes the text, so only its position is kept.
    const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    const where = position === undefined ? '' : ` (at character ${Number(position) + 1})`;
    const message = `filter 'from_json' got ${kindOf(value)}, which is not valid JSON${where}`;
    throw new ExpressionError(message, offset + 1);
  }
}

/** A value's kind as a message names it. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  return typeof value;
}
