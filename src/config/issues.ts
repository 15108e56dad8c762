import type { z } from 'zod';
import type { ConfigIssue } from './config-error.js';
import { describeSecret, isSecretPath } from './secrets.js';
import type { LocationTarget, SourcePosition } from './yaml-locations.js';

/** A key path as people read it: `agents.claude.command[0]`, `repos["my app"].path`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z0-9_-]+$/.test(segment))
      text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** A found value as a message shows it: `"ten"`, `0`, `a list`. Long strings are cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return typeof value;
}

const NOUNS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/**
 * Messages for the issues whose schema names no expectation of its own (the schemas name nearly all),
 * in the same "expected …" form.
 */
export const expectationMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${NOUNS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return `expected ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}`;
    case 'too_big':
      return `expected ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `expected one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return undefined;
  }
};

/** Where a file's problems are: the file and how to find a path in it. */
export interface IssueSite {
  /** The file's absolute path. */
  readonly file: string;
  /** The file's name as messages show it (relative to the working folder when inside it). */
  readonly displayName: string;
  /** The value zod was given, to show what was found. */
  readonly data: unknown;
  readonly locate: (path: readonly PropertyKey[], target: LocationTarget) => SourcePosition;
}

/** One `ConfigIssue` per zod issue (one per unknown key), in file order. */
export function issuesOfFile(issues: readonly z.core.$ZodIssue[], site: IssueSite): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  const visit = (path: readonly PropertyKey[], text: string, target: LocationTarget): void => {
    const { line, column } = site.locate(path, target);
    const where = formatPath(path);
    const message = `${site.displayName}:${line}:${column}: ${where ? `${where}: ` : ''}${text}`;
    result.push({ message, path: where || undefined, file: site.file, line, column });
  };
  forEachZodIssue(issues, site.data, visit, { secret: isSecretPath });
  return result.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Options of `forEachZodIssue`. */
export interface ZodIssueOptions {
  /** Paths whose values are secrets: their issues say the kind of value found, never the value. @default none */
  readonly secret?: (path: readonly PropertyKey[]) => boolean;
}

/**
 * Walks zod's issues for a file's `data` the way files report them: each unknown key at the key (one
 * call per key), a key a record refuses (`invalid_key`) at the key with the key found, every other issue
 * at the value with what was found there (`explain`). Paths are relative to `data`.
 */
export function forEachZodIssue(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  visit: (path: readonly PropertyKey[], text: string, target: LocationTarget) => void,
  options: ZodIssueOptions = {},
): void {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) visit([...issue.path, key], issue.message, 'key');
    } else if (issue.code === 'invalid_key') {
      // The path ends at the refused key; the value under it says nothing about what is wrong.
      visit(issue.path, `${issue.message}, got ${JSON.stringify(String(issue.path.at(-1)))}`, 'key');
    } else {
      const value = valueAt(data, issue.path);
      const secret = options.secret?.(issue.path) === true;
      visit(
        issue.path,
        secret ? explainSecret(issue.message, value) : explain(issue.message, value),
        'value',
      );
    }
  }
}

/** A request's problem: the field it is about and what is wrong with it. */
export interface FieldProblem {
  /** Dotted, as a request names it: `messages.2.role`. */
  readonly field: string;
  readonly message: string;
}

/**
 * The field and message of one zod issue of a request (a body, a query): the issue's dotted path, or
 * `where` for the whole of it. Unknown keys name the first of them as the field and say
 * `unknown field(s): a, b`, followed by `(expected one of: …)` when `knownFields` are given.
 */
export function describeZodIssue(
  issue: z.core.$ZodIssue,
  where: string,
  knownFields?: readonly string[],
): FieldProblem {
  if (issue.code === 'unrecognized_keys') {
    const hint = knownFields === undefined ? '' : ` (expected one of: ${knownFields.join(', ')})`;
    return {
      field: [...issue.path, issue.keys[0]].join('.'),
      message: `unknown field(s): ${issue.keys.join(', ')}${hint}`,
    };
  }
  return { field: issue.path.join('.') || where, message: issue.message };
}

/** Options of `parseRequest`. */
export interface ParseRequestOptions {
  /** What the whole value is called when the problem is not in one field. @default 'body' */
  readonly where?: string;
  /** The fields there are, listed after an unknown one. */
  readonly knownFields?: readonly string[];
}

/**
 * `value` (a request's body or query) as `schema` reads it, or the error `fail` makes of the first
 * problem (see `describeZodIssue`): the job service and the server refuse requests with their own errors.
 */
export function parseRequest<T>(
  schema: z.ZodType<T>,
  value: unknown,
  fail: (problem: FieldProblem) => Error,
  options: ParseRequestOptions = {},
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw fail(describeZodIssue(parsed.error.issues[0]!, options.where ?? 'body', options.knownFields));
}

/** `expected …, got a number (not shown: a secret)`: what was found, by its kind only. */
function explainSecret(expected: string, value: unknown): string {
  return value === undefined
    ? `missing, ${expected}`
    : `${expected}, got ${describeSecret(value)} (not shown: a secret)`;
}

/** `expected …, got …`, or `missing, expected …`. */
function explain(expected: string, value: unknown): string {
  return value === undefined ? `missing, ${expected}` : `${expected}, got ${describeValue(value)}`;
}

/** The value at `path` in plain data, or `undefined`. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
