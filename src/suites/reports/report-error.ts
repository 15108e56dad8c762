import { SourceError, type SourceErrorDetails, type SourceIssue } from '../../core/index.js';
import type { ReportFormat } from '../types.js';

/** What each format is called in a message: the tool and the kind of file the suite said it writes. */
export const FORMAT_NAMES: Readonly<Record<ReportFormat, string>> = {
  junit: 'JUnit XML',
  ctrf: 'CTRF JSON',
  'vitest-json': 'Vitest JSON',
  'jest-json': 'Jest JSON',
  'playwright-json': 'Playwright JSON',
};

/** Where the problem of a report is: a line and column for a syntax error, a key path for a bad shape. */
export type ReportIssue = SourceIssue;

/**
 * A suite's report is not a valid report of the format the suite declares: empty, not XML or not JSON
 * (with the line and column of the syntax error), or of another shape (with the key path of the first
 * value that does not fit, what was expected and what was found). Nothing is guessed from such a report:
 * the attempt that wrote it ends `error`.
 */
export class ReportError extends SourceError<ReportIssue> {
  /** The format the report was read as. */
  readonly format: ReportFormat;

  constructor(format: ReportFormat, message: string, details: SourceErrorDetails<ReportIssue> = {}) {
    super('E_REPORT', message, details);
    this.format = format;
  }

  /** The report is not of `format` for `reason`, found at `line`:`column` when known. */
  static syntax(format: ReportFormat, reason: string, line?: number, column?: number): ReportError {
    const where = line === undefined ? '' : column === undefined ? ` (line ${line})` : ` (${line}:${column})`;
    return new ReportError(format, `Not a ${FORMAT_NAMES[format]} report${where}: ${reason}`, {
      line,
      column,
    });
  }

  /** The value at `path` is not what `format` has there: `expected`, then what was found. */
  static shape(format: ReportFormat, path: string, expected: string, found: unknown): ReportError {
    const message = `Not a ${FORMAT_NAMES[format]} report: ${path || 'the document'}: expected ${expected}, got ${describeValue(found)}`;
    return new ReportError(format, message, { path });
  }
}

/** A value as a message shows it: short, typed, never a whole document. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
