import { InvalidArgumentError } from './errors.js';

/** A value as an error message shows it: `"2" (string)`, `1.5 (number)`, `[object Object] (object)`. */
export function describeValue(value: unknown): string {
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value)
      : typeof value === 'function'
        ? 'a function'
        : String(value);
  return `${shown} (${value === null ? 'null' : typeof value})`;
}

function invalid(name: string, expected: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
}

/** Asserts an integer ≥ `min`, or `Infinity` when `allowInfinity`; the error names the option. */
export function assertCount(name: string, value: unknown, min: number, allowInfinity = false): number {
  if (
    typeof value === 'number' &&
    (Number.isInteger(value) || (allowInfinity && value === Infinity)) &&
    value >= min
  ) {
    return value;
  }
  throw invalid(name, `an integer ≥ ${min}${allowInfinity ? ' or Infinity' : ''}`, value);
}

/** Asserts a finite number ≥ 0; the error names the option. */
export function assertNonNegative(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw invalid(name, 'a finite number ≥ 0', value);
}

/** Asserts a function; the error names the argument. */
export function assertFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') throw invalid(name, 'a function', value);
}

/** Asserts an object (an options bag); the error names the argument. */
export function assertObject(name: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) throw invalid(name, 'an object', value);
}

/** Asserts `undefined` or a boolean; the error names the option. */
export function assertOptionalBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(name, 'a boolean', value);
}

/** Asserts `undefined` or a string; the error names the option. */
export function assertOptionalString(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') throw invalid(name, 'a string', value);
}

/** Asserts `undefined` or an `AbortSignal` (anything shaped like one); the error names the option. */
export function assertOptionalSignal(name: string, value: unknown): void {
  if (value === undefined) return;
  if (
    value === null ||
    typeof value !== 'object' ||
    !('aborted' in value && typeof value.aborted === 'boolean') ||
    !('addEventListener' in value && typeof value.addEventListener === 'function')
  ) {
    throw invalid(name, 'an AbortSignal', value);
  }
}

/**
 * Asserts `undefined` or a time limit in milliseconds: a number > 0, `Infinity` for none. A limit longer
 * than a timer can wait counts as none (see `withTimeout`).
 */
export function assertOptionalTimeout(name: string, value: unknown): void {
  if (value !== undefined && !(typeof value === 'number' && value > 0)) {
    throw invalid(name, 'a number of milliseconds > 0 (Infinity for none)', value);
  }
}
