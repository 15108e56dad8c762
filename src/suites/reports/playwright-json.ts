import type { ParsedReport, TestCase, TestOutcome } from '../types.js';
import { JsonShape, parseJsonReport, type JsonObject } from './json-shape.js';
import { testCase, type ParseReportOptions } from './test-case.js';

/** Playwright's `TestStatus`: what one run of a test came to, and what the test expected. */
const STATUSES = ['passed', 'failed', 'timedOut', 'skipped', 'interrupted'] as const;
type PlaywrightStatus = (typeof STATUSES)[number];

/**
 * The tests of a report of Playwright's `json` reporter: `suites[]` (one per file, with the file's path
 * as `title` and `file`) holding `specs[]` and nested `suites[]` (describe blocks); each spec holds one
 * `tests[]` entry per project (`projectName`) with its `results[]`, one per retry.
 *
 * A test's outcome is its last result's, held against what it expected: `skipped` when it expected to
 * be skipped, when it never ran (no result) or when its last result is `skipped`; `passed` when its last
 * status is the expected one (a `test.fail()` that failed passes); else `failed` — so `timedOut` and
 * `interrupted` fail, and so does a `test.fail()` that passed. Its duration and message are its last
 * result's.
 */
export function parsePlaywrightJson(text: string, options: ParseReportOptions = {}): ParsedReport {
  const shape = new JsonShape('playwright-json');
  const root = shape.object(parseJsonReport('playwright-json', text), '');
  const tests: TestCase[] = [];
  shape.array(root['suites'], 'suites').forEach((value, index) => {
    // The top-level suites are files: their title is the file's path, not a describe block's.
    readSuite(shape, shape.object(value, `suites[${index}]`), `suites[${index}]`, [], tests, options);
  });
  return { format: 'playwright-json', tests };
}

function readSuite(
  shape: JsonShape,
  suite: JsonObject,
  path: string,
  titles: readonly string[],
  out: TestCase[],
  options: ParseReportOptions,
): void {
  const suiteFile = shape.optionalString(suite['file'], `${path}.file`) ?? '';
  shape.optionalArray(suite['specs'], `${path}.specs`).forEach((value, index) => {
    const specPath = `${path}.specs[${index}]`;
    const spec = shape.object(value, specPath);
    const title = shape.string(spec['title'], `${specPath}.title`);
    const file = shape.optionalString(spec['file'], `${specPath}.file`) ?? suiteFile;
    shape.array(spec['tests'], `${specPath}.tests`).forEach((testValue, testIndex) => {
      const testPath = `${specPath}.tests[${testIndex}]`;
      const test = shape.object(testValue, testPath);
      const project = shape.optionalString(test['projectName'], `${testPath}.projectName`) ?? '';
      out.push(
        testCase(
          {
            file,
            titlePath: [...titles, title],
            project: project || undefined,
            ...run(shape, test, testPath),
          },
          options,
        ),
      );
    });
  });
  shape.optionalArray(suite['suites'], `${path}.suites`).forEach((value, index) => {
    const childPath = `${path}.suites[${index}]`;
    const child = shape.object(value, childPath);
    const title = shape.string(child['title'], `${childPath}.title`);
    readSuite(shape, child, childPath, [...titles, title], out, options);
  });
}

/** The outcome, duration and message of one test entry (one project's run of a spec). */
function run(shape: JsonShape, test: JsonObject, path: string) {
  const expected = shape.oneOf(test['expectedStatus'] ?? 'passed', `${path}.expectedStatus`, STATUSES);
  const results = shape.optionalArray(test['results'], `${path}.results`);
  const lastPath = `${path}.results[${results.length - 1}]`;
  const last = results.length === 0 ? undefined : shape.object(results.at(-1), lastPath);
  if (expected === 'skipped' || last === undefined) return { outcome: 'skipped', durationMs: 0 } as const;
  const status: PlaywrightStatus = shape.oneOf(last['status'], `${lastPath}.status`, STATUSES);
  const outcome: TestOutcome = status === 'skipped' ? 'skipped' : status === expected ? 'passed' : 'failed';
  return {
    outcome,
    durationMs: shape.duration(last['duration'], `${lastPath}.duration`),
    message: outcome === 'failed' ? errorText(shape, last, lastPath, status) : undefined,
  };
}

/** The last result's error (`error.message`, `error.stack`, else its first `errors[]`), or what its status says. */
function errorText(shape: JsonShape, result: JsonObject, path: string, status: PlaywrightStatus): string {
  const error =
    result['error'] === undefined || result['error'] === null
      ? undefined
      : shape.object(result['error'], `${path}.error`);
  const fromError =
    error &&
    (shape.optionalString(error['message'], `${path}.error.message`) ??
      shape.optionalString(error['stack'], `${path}.error.stack`));
  if (fromError) return fromError;
  const [first] = shape.optionalArray(result['errors'], `${path}.errors`);
  const fromErrors =
    first === undefined
      ? undefined
      : shape.optionalString(
          shape.object(first, `${path}.errors[0]`)['message'],
          `${path}.errors[0].message`,
        );
  return fromErrors || (status === 'passed' ? 'Expected to fail, but passed' : `The test ended ${status}`);
}
