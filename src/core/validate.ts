import { InvalidArgumentError } from './errors.js';

function describe(value: unknown): string {
  return `${typeof value === 'string' ? JSON.stringify(value) : String(value)} (${typeof value})`;
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
  const expected = `an integer ≥ ${min}${allowInfinity ? ' or Infinity' : ''}`;
  throw new InvalidArgumentError(`Expected \`${name}\` to be ${expected}, got ${describe(value)}`);
}

/** Asserts a finite number ≥ 0; the error names the option. */
export function assertNonNegative(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new InvalidArgumentError(`Expected \`${name}\` to be a finite number ≥ 0, got ${describe(value)}`);
}
