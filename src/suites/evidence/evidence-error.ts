import { FlotillaError } from '../../core/index.js';

/**
 * The codes an `EvidenceError` carries:
 * - `E_INVALID_ARGUMENT`: the writer was given what it cannot use (a folder that is not empty, an unsafe
 *   suite name, an attempt number below 1); nothing was written.
 * - `E_STATE`: the writer was used after `finish`.
 */
export type EvidenceErrorCode = 'E_INVALID_ARGUMENT' | 'E_STATE';

/** A misuse of the evidence writer. Failures of the disk itself are the file system's errors, as they come. */
export class EvidenceError extends FlotillaError {
  declare readonly code: EvidenceErrorCode;

  constructor(code: EvidenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

const SUITE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** The longest suite name that still leaves room for its files in a 255-byte file name. */
const MAX_SUITE_NAME_LENGTH = 200;

/**
 * Asserts that `name` is a suite name that is safe as one folder name: `[A-Za-z][A-Za-z0-9_.-]*` (what the
 * configuration accepts), no `..`, at most 200 characters. Returns it.
 * @throws EvidenceError `E_INVALID_ARGUMENT` otherwise.
 */
export function assertSuiteName(name: string): string {
  if (SUITE_NAME.test(name) && !name.includes('..') && name.length <= MAX_SUITE_NAME_LENGTH) return name;
  throw new EvidenceError(
    'E_INVALID_ARGUMENT',
    `The suite name ${JSON.stringify(name)} cannot name an evidence folder: expected a letter, then ` +
      `letters, digits, "_", "." or "-" (no ".."), at most ${MAX_SUITE_NAME_LENGTH} characters`,
  );
}

/**
 * Asserts that `attempt` is an attempt number (an integer ≥ 1). Returns it.
 * @throws EvidenceError `E_INVALID_ARGUMENT` otherwise.
 */
export function assertAttempt(attempt: number): number {
  if (Number.isInteger(attempt) && attempt >= 1) return attempt;
  throw new EvidenceError(
    'E_INVALID_ARGUMENT',
    `Expected an attempt number (an integer ≥ 1), got ${String(attempt)}`,
  );
}
