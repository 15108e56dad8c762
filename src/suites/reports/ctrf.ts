import type { ParsedReport, TestOutcome } from '../types.js';
import { JsonShape, parseJsonReport } from './json-shape.js';
import { testCase, type ParseReportOptions } from './test-case.js';

/** CTRF's statuses (its specification's `status.md`) and what each comes to. */
const STATUS_OUTCOMES = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  pending: 'skipped',
  // "A catch-all for outcomes that cannot be mapped": never a pass, unless `rawStatus` says what it was.
  other: 'failed',
} as const satisfies Record<string, TestOutcome>;
const STATUSES = Object.keys(STATUS_OUTCOMES) as (keyof typeof STATUS_OUTCOMES)[];

/** The runners' own statuses an `other` test may carry as its `rawStatus`, and what they come to. */
const RAW_STATUS_OUTCOMES: Readonly<Record<string, TestOutcome>> = {
  todo: 'skipped',
  disabled: 'skipped',
  timedOut: 'failed',
  interrupted: 'failed',
};

/**
 * The tests of a CTRF report (Common Test Report Format): `results.tests[]`, each with `name`,
 * `status`, `duration` (milliseconds) and optionally `filePath`, `suite` (the suites from the outermost
 * to the test's parent: an array, or one string in reports of older reporters) and `message` and
 * `trace` for a failure.
 */
export function parseCtrf(text: string, options: ParseReportOptions = {}): ParsedReport {
  const shape = new JsonShape('ctrf');
  const root = shape.object(parseJsonReport('ctrf', text), '');
  const results = shape.object(root['results'], 'results');
  const tests = shape.array(results['tests'], 'results.tests').map((value, index) => {
    const path = `results.tests[${index}]`;
    const test = shape.object(value, path);
    const name = shape.string(test['name'], `${path}.name`);
    const status = shape.oneOf(test['status'], `${path}.status`, STATUSES);
    const rawStatus = shape.optionalString(test['rawStatus'], `${path}.rawStatus`);
    const outcome =
      (status === 'other' && rawStatus !== undefined && RAW_STATUS_OUTCOMES[rawStatus]) ||
      STATUS_OUTCOMES[status];
    const message = shape.optionalString(test['message'], `${path}.message`);
    const trace = shape.optionalString(test['trace'], `${path}.trace`);
    return testCase(
      {
        file: shape.optionalString(test['filePath'], `${path}.filePath`) ?? '',
        titlePath: [...suites(shape, test['suite'], `${path}.suite`), name],
        outcome,
        durationMs: shape.duration(test['duration'], `${path}.duration`),
        message: failureText(message, trace),
      },
      options,
    );
  });
  return { format: 'ctrf', tests };
}

function suites(shape: JsonShape, value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [value];
  return shape.array(value, path).map((title, i) => shape.string(title, `${path}[${i}]`));
}

/** The message, then the trace unless it already starts with the message (most do). */
function failureText(message: string | undefined, trace: string | undefined): string | undefined {
  if (message === undefined || message === '') return trace;
  if (trace === undefined || trace === '' || trace.startsWith(message)) return trace || message;
  return `${message}\n${trace}`;
}
