import { InvalidArgumentError } from '@commander-js/extra-typings';

/** An argument parser for a whole-number flag ≥ `min`; the error names the flag and what was expected. */
export function parseCount(flag: string, min: number): (value: string) => number {
  return (value) => {
    const count = Number(value);
    if (!Number.isInteger(count) || count < min) {
      throw new InvalidArgumentError(`${flag} expects an integer ≥ ${min}, got "${value}"`);
    }
    return count;
  };
}
