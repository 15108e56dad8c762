import type { z } from 'zod';
import type { ConfigIssue } from './config-error.js';
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
  const located = (path: readonly PropertyKey[], target: LocationTarget, text: string): ConfigIssue => {
    const { line, column } = site.locate(path, target);
    const where = formatPath(path);
    const message = `${site.displayName}:${line}:${column}: ${where ? `${where}: ` : ''}${text}`;
    return { message, path: where || undefined, file: site.file, line, column };
  };
  const result = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => located([...issue.path, key], 'key', issue.message))
      : [located(issue.path, 'value', explain(issue.message, valueAt(site.data, issue.path)))],
  );
  return result.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** `expected …, got …`, or `missing, expected …`. */
export function explain(expected: string, value: unknown): string {
  return value === undefined ? `missing, ${expected}` : `${expected}, got ${describeValue(value)}`;
}

/** The value at `path` in plain data, or `undefined`. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
