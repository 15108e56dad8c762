import type { SuiteResult, TestResult } from '../types.js';
import { flotillaVersion } from './environment.js';
import { countTests, runTimes, type EvidenceRun } from './manifest.js';
import { displayName, SUITE_CASE_NAME, suiteProblem, testRunsOf, type TestRun } from './test-runs.js';

/** The CTRF specification version the report follows (https://ctrf.io). */
export const CTRF_SPEC_VERSION = '0.0.0';

/** A CTRF status. Flotilla's `flaky` is `passed` with `flaky: true`. */
export type CtrfStatus = 'passed' | 'failed' | 'skipped' | 'pending' | 'other';

/** One earlier attempt of a CTRF test. */
export interface CtrfRetryAttempt {
  readonly attempt: number;
  readonly status: CtrfStatus;
  readonly duration: number;
  readonly message?: string;
}

/** One test of a CTRF report. */
export interface CtrfTest {
  /** The test's title path joined with ` › ` (its id without one). */
  readonly name: string;
  readonly status: CtrfStatus;
  /** Milliseconds of its last run, whole. */
  readonly duration: number;
  /** The suite's name, then the describe blocks around the test. */
  readonly suite: readonly string[];
  readonly filePath?: string;
  /** How many times it ran again after its first run. */
  readonly retries: number;
  readonly flaky: boolean;
  readonly message?: string;
  /** Its runs before the last one. */
  readonly retryAttempts?: readonly CtrfRetryAttempt[];
  readonly extra: { readonly id: string; readonly suite: string; readonly attempts: readonly number[] };
}

/** `results.ctrf.json`: the whole run, every suite's tests in one CTRF document. */
export interface CtrfReport {
  readonly reportFormat: 'CTRF';
  readonly specVersion: string;
  readonly reportId: string;
  readonly timestamp: string;
  readonly generatedBy: 'flotilla';
  readonly results: {
    readonly tool: { readonly name: 'flotilla'; readonly version?: string };
    readonly summary: {
      readonly tests: number;
      readonly passed: number;
      readonly failed: number;
      readonly skipped: number;
      readonly pending: number;
      readonly other: number;
      readonly flaky: number;
      readonly suites: number;
      readonly start: number;
      readonly stop: number;
      readonly duration: number;
    };
    readonly tests: readonly CtrfTest[];
    readonly extra: { readonly runId: string; readonly exitCode: number };
  };
}

const ms = (value: number): number => Math.max(0, Math.round(value));

function ctrfTest(suite: SuiteResult, test: TestResult, runs: readonly TestRun[]): CtrfTest {
  const earlier = runs.slice(0, -1);
  return {
    name: displayName(test),
    status: test.status === 'flaky' ? 'passed' : test.status,
    duration: ms(test.durationMs),
    suite: [suite.name, ...test.titlePath.slice(0, -1)],
    ...(test.file === '' ? {} : { filePath: test.file }),
    retries: Math.max(0, runs.length - 1),
    flaky: test.status === 'flaky',
    ...(test.message === undefined ? {} : { message: test.message }),
    ...(earlier.length === 0
      ? {}
      : {
          retryAttempts: earlier.map((run) => ({
            attempt: run.attempt,
            status: run.outcome,
            duration: ms(run.durationMs),
            ...(run.message === undefined ? {} : { message: run.message }),
          })),
        }),
    extra: { id: test.id, suite: suite.name, attempts: runs.map((run) => run.attempt) },
  };
}

/** The stand-in test of a suite that failed (or never ran) without a test saying so. */
function suiteCase(suite: SuiteResult): CtrfTest | undefined {
  const problem = suiteProblem(suite);
  if (problem === undefined) return undefined;
  return {
    name: `${suite.name} ${SUITE_CASE_NAME}`,
    status: problem.kind === 'error' ? 'failed' : 'skipped',
    duration: ms(suite.durationMs),
    suite: [suite.name],
    retries: Math.max(0, suite.attempts.length - 1),
    flaky: false,
    message: problem.message,
    extra: { id: SUITE_CASE_NAME, suite: suite.name, attempts: suite.attempts.map((a) => a.attempt) },
  };
}

/**
 * The run as one CTRF report: every test of every suite with its final status, `retries` and `flaky`
 * from its runs across attempts, and the earlier runs as `retryAttempts`. A suite that failed as a whole
 * without a failing test gets a `<suite> (suite)` test, so the summary counts it. `reportId` is random.
 */
export function toCtrf(run: EvidenceRun, reportId: string): CtrfReport {
  const tests: CtrfTest[] = [];
  for (const suite of run.suites) {
    const runsOf = testRunsOf(suite);
    for (const test of suite.tests) tests.push(ctrfTest(suite, test, runsOf(test)));
    const stand = suiteCase(suite);
    if (stand !== undefined) tests.push(stand);
  }
  const count = (status: CtrfStatus): number => tests.filter((test) => test.status === status).length;
  const start = Date.parse(run.startedAt);
  const stop = Date.parse(run.finishedAt);
  const version = flotillaVersion();
  return {
    reportFormat: 'CTRF',
    specVersion: CTRF_SPEC_VERSION,
    reportId,
    timestamp: run.finishedAt,
    generatedBy: 'flotilla',
    results: {
      tool: { name: 'flotilla', ...(version === null ? {} : { version }) },
      summary: {
        tests: tests.length,
        passed: count('passed'),
        failed: count('failed'),
        skipped: count('skipped'),
        pending: 0,
        other: 0,
        flaky: countTests(run.suites).flaky,
        suites: run.suites.length,
        start,
        stop,
        duration: runTimes(run).wallMs,
      },
      tests,
      extra: { runId: run.id, exitCode: run.exitCode },
    },
  };
}
