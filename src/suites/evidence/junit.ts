import type { SuiteResult, TestResult } from '../types.js';
import { countTests, runTimes, type EvidenceRun } from './manifest.js';
import {
  displayName,
  firstLine,
  SUITE_CASE_NAME,
  suiteProblem,
  testRunsOf,
  truncate,
  type TestRun,
} from './test-runs.js';
import { escapeXmlText, xmlElement, xmlStartTag } from './xml.js';

/** The longest message a `<failure>` (or a rerun's `<stackTrace>`) holds; reports stay readable. */
const MAX_MESSAGE_CHARS = 16_000;
/** The `type` of failures: reports give messages, not exception classes. */
const FAILURE_TYPE = 'failure';

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

function failureBody(run: TestRun): string {
  return escapeXmlText(truncate(run.message ?? `failed in attempt ${run.attempt}`, MAX_MESSAGE_CHARS));
}

function failureAttributes(run: TestRun): Record<string, string> {
  return { message: firstLine(run.message ?? `failed in attempt ${run.attempt}`), type: FAILURE_TYPE };
}

/**
 * A rerun element as Maven Surefire writes them (`flakyFailure` for a failed run of a test that passed
 * later, `rerunFailure` for a failed run after the first of a test that never passed): the message in
 * the attributes, the text in `<stackTrace>`, the attempt in `<system-out>`.
 */
function rerunElement(name: 'flakyFailure' | 'rerunFailure', run: TestRun): string {
  return xmlElement(
    name,
    failureAttributes(run),
    xmlElement('stackTrace', {}, failureBody(run)) +
      xmlElement('system-out', {}, escapeXmlText(`attempt ${run.attempt}`)),
  );
}

function testCase(suite: SuiteResult, test: TestResult, runs: readonly TestRun[]): string {
  const failed = runs.filter((run) => run.outcome === 'failed');
  let children = '';
  if (test.status === 'failed') {
    const [first, ...later] = failed.length > 0 ? failed : [fallbackRun(test)];
    children = xmlElement('failure', failureAttributes(first!), failureBody(first!));
    children += later.map((run) => rerunElement('rerunFailure', run)).join('');
  } else if (test.status === 'flaky') {
    children = failed.map((run) => rerunElement('flakyFailure', run)).join('');
  } else if (test.status === 'skipped') {
    children = xmlElement('skipped', test.message === undefined ? {} : { message: firstLine(test.message) });
  }
  const attributes = {
    name: displayName(test),
    classname: test.file === '' ? suite.name : test.file,
    time: seconds(test.durationMs),
    ...(test.file === '' ? {} : { file: test.file }),
  };
  return `    ${xmlElement('testcase', attributes, children === '' ? '' : `\n      ${children}\n    `)}\n`;
}

function fallbackRun(test: TestResult): TestRun {
  return {
    attempt: test.outcomes.length,
    outcome: 'failed',
    durationMs: test.durationMs,
    ...(test.message === undefined ? {} : { message: test.message }),
  };
}

function properties(suite: SuiteResult): string {
  const entries: [string, string][] = [
    ['flotilla.status', suite.status],
    ['flotilla.attempts', String(suite.attempts.length)],
  ];
  if (suite.error !== null) entries.push(['flotilla.error', suite.error]);
  const items = entries.map(([name, value]) => `      ${xmlElement('property', { name, value })}\n`).join('');
  return `    <properties>\n${items}    </properties>\n`;
}

function testSuite(suite: SuiteResult): string {
  const runsOf = testRunsOf(suite);
  const counts = countTests([suite]);
  const problem = suiteProblem(suite);
  let cases = suite.tests.map((test) => testCase(suite, test, runsOf(test))).join('');
  if (problem !== undefined) {
    const inner =
      problem.kind === 'error'
        ? xmlElement(
            'error',
            { message: firstLine(problem.message), type: suite.status },
            escapeXmlText(truncate(problem.message, MAX_MESSAGE_CHARS)),
          )
        : xmlElement('skipped', { message: firstLine(problem.message) });
    cases += `    ${xmlElement('testcase', { name: SUITE_CASE_NAME, classname: suite.name, time: seconds(0) }, inner)}\n`;
  }
  const attributes = {
    name: suite.name,
    tests: counts.total + (problem === undefined ? 0 : 1),
    failures: counts.failed,
    errors: problem?.kind === 'error' ? 1 : 0,
    skipped: counts.skipped + (problem?.kind === 'skipped' ? 1 : 0),
    time: seconds(suite.durationMs),
    timestamp: suite.startedAt ?? undefined,
  };
  return `  ${xmlStartTag('testsuite', attributes)}\n${properties(suite)}${cases}  </testsuite>\n`;
}

/**
 * The run as one JUnit XML document: a `<testsuite>` per suite holding each test's final status, and the
 * earlier failed runs of a test as Maven Surefire records reruns (`<flakyFailure>` in a test that passed
 * on a retry, `<rerunFailure>` after the `<failure>` of one that never passed), which Jenkins and most CI
 * readers understand while counting flaky tests as passed. A suite that failed as a whole without a
 * failing test (crash, timeout, no report) gets a `(suite)` test case with an `<error>`.
 */
export function toJunitXml(run: EvidenceRun): string {
  const suites = run.suites.map(testSuite);
  const counts = countTests(run.suites);
  const problems = run.suites.map(suiteProblem);
  const attributes = {
    name: `flotilla suites ${run.id}`,
    tests: counts.total + problems.filter((p) => p !== undefined).length,
    failures: counts.failed,
    errors: problems.filter((p) => p?.kind === 'error').length,
    skipped: counts.skipped + problems.filter((p) => p?.kind === 'skipped').length,
    time: seconds(runTimes(run).wallMs),
    timestamp: run.startedAt,
  };
  const head = xmlStartTag('testsuites', attributes);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${suites.join('')}</testsuites>\n`;
}
