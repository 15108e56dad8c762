/**
 * The vocabulary of the suite orchestrator: what one test, one attempt and one suite came to. Parsers
 * (`reports/`), the runner, the evidence writer and the history all speak it.
 */

import { SUITE_REPORT_FORMATS, type SuiteReportFormat } from '../config/index.js';

/** The report formats a suite may write. */
export const REPORT_FORMATS = SUITE_REPORT_FORMATS;
export type ReportFormat = SuiteReportFormat;

/** How one test ended in one attempt, as its runner's report says. */
export type TestOutcome = 'passed' | 'failed' | 'skipped';

/** One test of one attempt, read from the attempt's report. */
export interface TestCase {
  /**
   * The test's identity across attempts and runs: `FILE_OR_CLASS › FULL NAME` (the report's file or
   * classname, then the describe titles and the test's title joined by ` › `). Stable for one test.
   * A test of a runner's project (Playwright's) is `[PROJECT] › FILE › FULL NAME`, as Playwright prints
   * it: the same test in two projects is two tests.
   */
  readonly id: string;
  /** The file (or JUnit classname) the test lives in, as the report gives it; `''` when unknown. */
  readonly file: string;
  /**
   * The titles from the outermost describe block to the test itself. Empty for a failure of the file as
   * a whole, which the report gives outside any test (it did not load, a hook outside every test threw).
   */
  readonly titlePath: readonly string[];
  /** The runner's project the test ran in (Playwright's `projectName`), when the report names one. */
  readonly project?: string;
  readonly outcome: TestOutcome;
  /** Milliseconds, as the report gives them; `0` when unknown. */
  readonly durationMs: number;
  /** The failure's message (first lines), when it failed. */
  readonly message?: string;
}

/** What a report says, once parsed. */
export interface ParsedReport {
  readonly format: ReportFormat;
  readonly tests: readonly TestCase[];
}

/** How one attempt of a suite ended. */
export type AttemptStatus = 'passed' | 'failed' | 'timed_out' | 'error' | 'no_report' | 'cancelled';

/** The final status of a suite, derived from all its attempts. */
export type SuiteStatus =
  | 'passed'
  | 'failed'
  /** Failed, then passed on a retry. */
  | 'flaky'
  | 'timed_out'
  /** Crashed, could not start, or its report could not be read. */
  | 'error'
  /** Exited without writing the report it declares. */
  | 'no_report'
  /** Never started: a suite it depends on did not pass, or `fail_fast` stopped the run. */
  | 'skipped'
  /** Stopped by the user (Ctrl-C) or a cancelled workflow. */
  | 'cancelled';

/** The final status of one test, derived from every attempt that ran it. */
export type TestStatus = 'passed' | 'failed' | 'skipped' | 'flaky';

/** One attempt of a suite: one run of its command. */
export interface AttemptResult {
  /** 1, 2, … */
  readonly attempt: number;
  readonly status: AttemptStatus;
  /** The argv run (with `{out}` substituted and a retry's filter added). */
  readonly argv: readonly string[];
  /** Whether the attempt ran only the tests that failed before (a runner's filter), not the whole suite. */
  readonly filtered: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Why it is not `passed`, in one line (`exit code 3, but the report has no failures`); `null` if passed. */
  readonly error: string | null;
  /** The tests its report lists; empty without a report. */
  readonly tests: readonly TestCase[];
  /** The attempt's folder in the evidence (`suites/<name>/attempt-N`), relative to the evidence folder. */
  readonly dir: string;
}

/** Counts of tests by final status. */
export interface TestCounts {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly flaky: number;
}

/** One test across the attempts of its suite. */
export interface TestResult {
  readonly id: string;
  readonly file: string;
  readonly titlePath: readonly string[];
  readonly status: TestStatus;
  /** The outcome of each attempt that ran it, in order. */
  readonly outcomes: readonly TestOutcome[];
  /** Milliseconds of its last run. */
  readonly durationMs: number;
  readonly message?: string;
}

/** A suite once it is done: every attempt and the status derived from all of them. */
export interface SuiteResult {
  readonly name: string;
  readonly status: SuiteStatus;
  /** Why it is not `passed` or `flaky`, in one line; `null` otherwise. */
  readonly error: string | null;
  readonly attempts: readonly AttemptResult[];
  /** Every test of the suite with its final status (empty when the suite declares no report). */
  readonly tests: readonly TestResult[];
  /** `null` when the suite declares no report (its status is its exit code's) or no attempt's report was read. */
  readonly counts: TestCounts | null;
  /** Milliseconds from the first attempt's start to the last one's end (0 when it never started). */
  readonly durationMs: number;
  readonly startedAt: string | null;
}
