import { InvalidArgumentError } from '../core/index.js';

/** What better-sqlite3 binds to a parameter. (Booleans are not among them: SQLite stores 0 and 1.) */
export type SqlValue = string | number | bigint | Buffer | null;

/**
 * A value for a JSON column: `undefined` and `null` become SQL NULL, anything else its JSON text.
 * @throws InvalidArgumentError when the value cannot be serialised (a cycle, a BigInt).
 */
export function encodeJson(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new InvalidArgumentError(`Expected \`${field}\` to be serialisable as JSON`, { cause });
  }
  // A bare function or symbol serialises to `undefined`: there is nothing to keep.
  return text ?? null;
}

/** The value of a JSON column: SQL NULL reads back as `null`. */
export function decodeJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/**
 * A time for a TEXT column, normalised to `Date#toISOString()` form (UTC, milliseconds) so that times
 * compare correctly as strings, which lease expiry relies on.
 * @throws InvalidArgumentError when `value` is not a date-time `Date.parse` understands.
 */
export function encodeTime(field: string, value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new InvalidArgumentError(
      `Expected \`${field}\` to be an ISO-8601 time, got ${JSON.stringify(value)}`,
    );
  }
  return new Date(ms).toISOString();
}

/** `encodeTime` for a nullable column; `undefined` (no change) and `null` (clear) pass through. */
export function encodeOptionalTime<T extends null | undefined>(field: string, value: string | T): string | T {
  return typeof value === 'string' ? encodeTime(field, value) : value;
}

/** The time `ms` milliseconds after the ISO time `from`. */
export function addMs(field: string, from: string, ms: number): string {
  return new Date(Date.parse(encodeTime(field, from)) + ms).toISOString();
}
