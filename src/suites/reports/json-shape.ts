import type { ReportFormat } from '../types.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { ReportError } from './report-error.js';

/** A JSON object as read: its keys, each value still to be checked. */
export type JsonObject = Readonly<Record<string, unknown>>;

/**
 * The JSON document of a report of `format`. Throws `ReportError` for an empty text or one that is not
 * JSON, with the line and column of the first character that is not.
 */
export function parseJsonReport(format: ReportFormat, text: string): unknown {
  const body = withoutBom(text);
  if (body.trim() === '') throw ReportError.syntax(format, 'the file is empty');
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const problem = findJsonSyntaxError(body);
    if (problem === undefined) {
      // JSON.parse refused what the scanner accepts (a document too deep for it, say): its words, then.
      throw ReportError.syntax(format, `not JSON: ${firstLine(String(error))}`);
    }
    throw ReportError.syntax(format, `not JSON: ${problem.reason}`, problem.line, problem.column);
  }
}

/**
 * Checks the values of a report of one format, naming the key path of the first that does not fit
 * (`testResults[2].assertionResults[0].status`).
 */
export class JsonShape {
  constructor(readonly format: ReportFormat) {}

  /** `value` as an object (not an array, not null). */
  object(value: unknown, path: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw ReportError.shape(this.format, path, 'an object', value);
    }
    return value as JsonObject;
  }

  /** `value` as an array. */
  array(value: unknown, path: string): readonly unknown[] {
    if (!Array.isArray(value)) throw ReportError.shape(this.format, path, 'an array', value);
    return value as readonly unknown[];
  }

  /** `value` as an array, or empty when it is absent (`undefined` or `null`). */
  optionalArray(value: unknown, path: string): readonly unknown[] {
    return value === undefined || value === null ? [] : this.array(value, path);
  }

  /** `value` as a string. */
  string(value: unknown, path: string): string {
    if (typeof value !== 'string') throw ReportError.shape(this.format, path, 'a string', value);
    return value;
  }

  /** `value` as a string, or `undefined` when it is absent (`undefined` or `null`). */
  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path);
  }

  /** `value` as milliseconds: a finite number ≥ 0, or `0` when it is absent (`undefined` or `null`). */
  duration(value: unknown, path: string): number {
    if (value === undefined || value === null) return 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw ReportError.shape(this.format, path, 'a number of milliseconds', value);
    }
    return value;
  }

  /** `value` as one of `allowed`. */
  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw ReportError.shape(this.format, path, `one of ${allowed.join(', ')}`, value);
    }
    return value as T;
  }
}

/** `text` without a leading byte order mark, which some tools write and no parser wants. */
export function withoutBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
