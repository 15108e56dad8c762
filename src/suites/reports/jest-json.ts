import type { ParsedReport, TestCase, TestOutcome } from '../types.js';
import { JsonShape, parseJsonReport } from './json-shape.js';
import { testCase, type ParseReportOptions } from './test-case.js';

/** The statuses of a Jest assertion result (`@jest/test-result`'s `Status`) and what each comes to. */
const STATUS_OUTCOMES = {
  passed: 'passed',
  failed: 'failed',
  pending: 'skipped',
  skipped: 'skipped',
  todo: 'skipped',
  disabled: 'skipped',
} as const satisfies Record<string, TestOutcome>;
const STATUSES = Object.keys(STATUS_OUTCOMES) as (keyof typeof STATUS_OUTCOMES)[];

/** What a file that failed outside its tests says when its report gives no message. */
const FILE_FAILED = 'The file failed outside its tests (it did not load, or a hook outside every test threw)';

/**
 * The tests of a Jest-compatible JSON report (`jest --json`, Vitest's `json` reporter): `testResults[]`,
 * one per file (`name`, an absolute path), each with `assertionResults[]` (`ancestorTitles`, `title`,
 * `status`, `duration`, `failureMessages`).
 *
 * A file whose `status` is `failed` without a failed test in it (it did not load: Jest's
 * `testExecError`, Vitest's import error; or a hook outside every test threw) is one failed test with no
 * titles, its `message` the file's.
 */
export function parseJestJson(
  format: 'jest-json' | 'vitest-json',
  text: string,
  options: ParseReportOptions = {},
): ParsedReport {
  const shape = new JsonShape(format);
  const root = shape.object(parseJsonReport(format, text), '');
  const tests: TestCase[] = [];
  shape.array(root['testResults'], 'testResults').forEach((fileValue, fileIndex) => {
    const at = `testResults[${fileIndex}]`;
    const fileResult = shape.object(fileValue, at);
    const file = shape.string(fileResult['name'], `${at}.name`);
    let failedTests = 0;
    shape.optionalArray(fileResult['assertionResults'], `${at}.assertionResults`).forEach((value, index) => {
      const path = `${at}.assertionResults[${index}]`;
      const assertion = shape.object(value, path);
      const ancestors = shape
        .optionalArray(assertion['ancestorTitles'], `${path}.ancestorTitles`)
        .map((title, i) => shape.string(title, `${path}.ancestorTitles[${i}]`));
      const title = shape.string(assertion['title'], `${path}.title`);
      const outcome = STATUS_OUTCOMES[shape.oneOf(assertion['status'], `${path}.status`, STATUSES)];
      if (outcome === 'failed') failedTests++;
      const messages = shape
        .optionalArray(assertion['failureMessages'], `${path}.failureMessages`)
        .map((message, i) => shape.string(message, `${path}.failureMessages[${i}]`));
      tests.push(
        testCase(
          {
            file,
            titlePath: [...ancestors, title],
            outcome,
            durationMs: shape.duration(assertion['duration'], `${path}.duration`),
            message: messages.join('\n'),
          },
          options,
        ),
      );
    });
    const status = shape.optionalString(fileResult['status'], `${at}.status`);
    if (status === 'failed' && failedTests === 0) {
      const message = shape.optionalString(fileResult['message'], `${at}.message`);
      const facts = { file, titlePath: [], outcome: 'failed', durationMs: 0 } as const;
      tests.push(testCase({ ...facts, message: message || FILE_FAILED }, options));
    }
  });
  return { format, tests };
}
