import { InvalidArgumentError } from '@commander-js/extra-typings';
import { UsageError } from './errors.js';

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

/** An option parser that collects every use of a repeatable flag, in order. */
export function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/**
 * `NAME=VALUE` words of a repeatable flag as a mapping (the value may hold `=`; the name may not be empty
 * or given twice). The error names the flag and the word.
 */
export function parseAssignments(flag: string, words: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const word of words) {
    const split = word.indexOf('=');
    if (split <= 0) throw new UsageError(`${flag} expects NAME=VALUE, got "${word}"`);
    const name = word.slice(0, split);
    if (Object.hasOwn(result, name)) throw new UsageError(`${flag} ${name} is given twice`);
    result[name] = word.slice(split + 1);
  }
  return result;
}
