import type { SuiteResult, TestOutcome, TestResult } from '../types.js';

/** One run of a test: what one attempt of its suite said about it. */
export interface TestRun {
  readonly attempt: number;
  readonly outcome: TestOutcome;
  readonly durationMs: number;
  readonly message?: string;
}

/**
 * The runs of each test of `suite`, by test id, in attempt order, read from the attempts' reports. A test
 * no attempt lists (a caller that gave `tests` without the attempts' own) gets runs made from its
 * `outcomes`, numbered 1, 2, … with its last duration and message on the last one.
 */
export function testRunsOf(suite: SuiteResult): (test: TestResult) => readonly TestRun[] {
  const runs = new Map<string, TestRun[]>();
  for (const attempt of suite.attempts) {
    for (const test of attempt.tests) {
      const run: TestRun = {
        attempt: attempt.attempt,
        outcome: test.outcome,
        durationMs: test.durationMs,
        ...(test.message === undefined ? {} : { message: test.message }),
      };
      const list = runs.get(test.id);
      if (list === undefined) runs.set(test.id, [run]);
      else list.push(run);
    }
  }
  return (test) => runs.get(test.id) ?? fromOutcomes(test);
}

function fromOutcomes(test: TestResult): TestRun[] {
  const last = test.outcomes.length - 1;
  return test.outcomes.map((outcome, i) => ({
    attempt: i + 1,
    outcome,
    durationMs: i === last ? test.durationMs : 0,
    ...(i === last && test.message !== undefined ? { message: test.message } : {}),
  }));
}

/** The name of the stand-in test that carries a suite's own failure in `junit.xml` and the CTRF report. */
export const SUITE_CASE_NAME = '(suite)';

/** Why a suite needs a stand-in test: it did not pass, and none of its tests says so. */
export interface SuiteProblem {
  /** `error`: the suite failed as a whole (crash, timeout, no report); `skipped`: it never ran. */
  readonly kind: 'error' | 'skipped';
  readonly message: string;
}

const FAILING = new Set(['failed', 'timed_out', 'error', 'no_report']);

/**
 * The problem of a suite that no test of it shows: one that crashed, timed out, wrote no report or
 * failed with every test passing gets an `error`; one that never ran (skipped, cancelled) and lists no
 * test gets `skipped`. Without it, a report readers see as green could belong to a failed run.
 */
export function suiteProblem(suite: SuiteResult): SuiteProblem | undefined {
  if (FAILING.has(suite.status) && !suite.tests.some((test) => test.status === 'failed')) {
    return { kind: 'error', message: suite.error ?? `The suite ended ${suite.status}` };
  }
  if ((suite.status === 'skipped' || suite.status === 'cancelled') && suite.tests.length === 0) {
    return { kind: 'skipped', message: suite.error ?? `The suite was ${suite.status}` };
  }
  return undefined;
}

/** The name people read for a test: its title path joined with ` › `, or its id without one. */
export function displayName(test: TestResult): string {
  return test.titlePath.length > 0 ? test.titlePath.join(' › ') : test.id;
}

/** The first line of `message`, at most `max` characters (an ellipsis marks a cut). */
export function firstLine(message: string, max = 200): string {
  return truncate(message.split(/\r?\n/, 1)[0] ?? '', max);
}

/** `text` cut to at most `max` characters, an ellipsis marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
