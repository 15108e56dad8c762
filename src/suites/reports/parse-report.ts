import type { ParsedReport, ReportFormat } from '../types.js';
import { parseCtrf } from './ctrf.js';
import { parseJestJson } from './jest-json.js';
import { parseJunit } from './junit.js';
import { parsePlaywrightJson } from './playwright-json.js';
import type { ParseReportOptions } from './test-case.js';

/**
 * The tests of a report of `format`, each with its id, file, titles, outcome, duration and (when it
 * failed) the first lines of its failure without terminal escapes. The parser of each format documents
 * how the runner's statuses come to `passed`, `failed` or `skipped`.
 *
 * Throws `ReportError` (`E_REPORT`) when `text` is not a report of `format` — empty, not XML or not
 * JSON (with the line and column of the syntax error), or another shape (with the key path of the first
 * value that does not fit) — rather than guess what it says.
 */
export function parseReport(
  format: ReportFormat,
  text: string,
  options: ParseReportOptions = {},
): ParsedReport {
  switch (format) {
    case 'junit':
      return parseJunit(text, options);
    case 'ctrf':
      return parseCtrf(text, options);
    case 'vitest-json':
    case 'jest-json':
      return parseJestJson(format, text, options);
    case 'playwright-json':
      return parsePlaywrightJson(text, options);
  }
}
