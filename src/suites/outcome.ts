import type {
  AttemptResult,
  AttemptStatus,
  ParsedReport,
  SuiteStatus,
  TestCase,
  TestCounts,
  TestResult,
  TestStatus,
} from './types.js';

/** How an attempt's process ended, as far as its status is concerned. */
export interface AttemptEnd {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stalled: boolean;
  readonly cancelled: boolean;
  /** Seconds of the timeout or idle timeout that stopped it, for the message. */
  readonly limitS?: number;
}

/** What was found where the suite's report should be. */
export type ReportFinding =
  | { readonly kind: 'none-declared' }
  | { readonly kind: 'missing'; readonly path: string; readonly stale: boolean }
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'parsed'; readonly report: ParsedReport };

/**
 * The status of one attempt, from how its process ended and what its report says. The report decides
 * when there is one (a failed test is `failed` whatever the exit code); an exit that disagrees with a
 * report without failures is a crash (`error`), never "all tests passed"; a report the attempt did not
 * write is never read.
 */
export function attemptStatus(
  end: AttemptEnd,
  report: ReportFinding,
): { status: AttemptStatus; error: string | null } {
  if (end.cancelled) return { status: 'cancelled', error: 'cancelled' };
  if (end.timedOut) return { status: 'timed_out', error: `timed out after ${end.limitS ?? '?'} s` };
  if (end.stalled)
    return { status: 'timed_out', error: `no output for ${end.limitS ?? '?'} s (idle timeout)` };
  const exit = end.signal === null ? `exit code ${end.exitCode}` : `killed by ${end.signal}`;
  const clean = end.signal === null && end.exitCode === 0;
  switch (report.kind) {
    case 'none-declared':
      if (clean) return { status: 'passed', error: null };
      return { status: end.signal === null ? 'failed' : 'error', error: exit };
    case 'missing': {
      const what = report.stale
        ? `left ${report.path} as it was before the attempt (a stale report is never read)`
        : `wrote no report at ${report.path}`;
      return clean
        ? { status: 'no_report', error: `exited 0 but ${what}` }
        : { status: 'error', error: `${exit}, and ${what}` };
    }
    case 'unreadable':
      return { status: 'error', error: `its report could not be read: ${report.reason}` };
    case 'parsed': {
      const failed = report.report.tests.filter((test) => test.outcome === 'failed').length;
      if (failed > 0) {
        return { status: 'failed', error: `${failed} test${failed === 1 ? '' : 's'} failed` };
      }
      if (clean) return { status: 'passed', error: null };
      return { status: 'error', error: `${exit}, though its report has no failures (a crash?)` };
    }
  }
}

/** Whether an attempt that ended so is worth another one. */
export function retryable(status: AttemptStatus): boolean {
  return status !== 'passed' && status !== 'cancelled';
}

/**
 * Every test of a suite with its final status, from every attempt that ran it, in the order tests first
 * appeared: its last outcome that was not `skipped` decides, and a test that failed, then passed, is
 * `flaky`.
 */
export function mergeTests(attempts: readonly Pick<AttemptResult, 'tests'>[]): TestResult[] {
  const runsById = new Map<string, TestCase[]>();
  for (const attempt of attempts) {
    for (const test of attempt.tests) {
      const runs = runsById.get(test.id);
      if (runs === undefined) runsById.set(test.id, [test]);
      else runs.push(test);
    }
  }
  return [...runsById.values()].map((runs) => {
    // A retry that runs only the failed tests reports the others as skipped: skipped never overrides
    // an outcome an earlier attempt had.
    const ran = runs.filter((run) => run.outcome !== 'skipped');
    const last = ran.at(-1) ?? runs.at(-1)!;
    const outcomes = runs.map((run) => run.outcome);
    const status: TestStatus =
      last.outcome === 'passed' && outcomes.includes('failed') ? 'flaky' : last.outcome;
    const lastFailure = runs.findLast((run) => run.outcome === 'failed');
    return {
      id: last.id,
      file: last.file,
      titlePath: last.titlePath,
      status,
      outcomes,
      durationMs: last.durationMs,
      ...(lastFailure?.message === undefined ? {} : { message: lastFailure.message }),
    };
  });
}

/** Counts of tests by final status. */
export function countTests(tests: readonly TestResult[]): TestCounts {
  const counts = { total: tests.length, passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const test of tests) counts[test.status] += 1;
  return counts;
}

/**
 * The status of a suite from all its attempts — never from the best one alone: the last attempt's
 * status, `flaky` when it passed after one that did not, and `failed` when a test failed in every
 * attempt that ran it (a retry's filter that missed it cannot make the suite pass).
 */
export function suiteStatus(
  attempts: readonly Pick<AttemptResult, 'status' | 'error'>[],
  tests: readonly TestResult[],
): { status: SuiteStatus; error: string | null } {
  const last = attempts.at(-1);
  if (last === undefined) return { status: 'skipped', error: 'never started' };
  const stillFailing = tests.filter((test) => test.status === 'failed').length;
  if (last.status === 'passed') {
    if (stillFailing > 0) {
      return {
        status: 'failed',
        error: `${stillFailing} test${stillFailing === 1 ? '' : 's'} failed in every attempt that ran ${stillFailing === 1 ? 'it' : 'them'}`,
      };
    }
    return { status: attempts.length > 1 ? 'flaky' : 'passed', error: null };
  }
  return { status: last.status, error: last.error };
}

/** Whether a suite's final status lets the suites that depend on it run, and the run exit 0. */
export function suitePassed(status: SuiteStatus): boolean {
  return status === 'passed' || status === 'flaky';
}
