import type { SuiteResult, SuiteStatus, TestCounts, TestStatus } from '../types.js';
import type { EvidenceEnvironment } from './environment.js';
import { attemptPath, LAYOUT, suitePath } from './layout.js';

/** The orchestrator's settings for a run, as the manifest records them. */
export interface EvidenceSettings {
  /** Whether suites ran side by side. */
  readonly parallel: boolean;
  /** How many suites could run at once. */
  readonly maxWorkers: number;
  /** How many times a failed suite could run again. */
  readonly retries: number;
  /** Whether the first failed suite stopped the run. */
  readonly failFast: boolean;
}

/** A test the history says is flaky (from `store.suiteHistory.flakeRates`). */
export interface HistoricFlake {
  readonly suite: string;
  readonly testId: string;
  /** From 0 to 1. */
  readonly flakeRate: number;
  readonly runs: number;
}

/** A test the history says is slow (from `store.suiteHistory.slowest`). */
export interface HistoricSlowTest {
  readonly suite: string;
  readonly testId: string;
  readonly medianMs: number;
  readonly runs: number;
}

/** What the history says about the run's tests, for the manifest and the summary. */
export interface EvidenceHistory {
  readonly flaky: readonly HistoricFlake[];
  readonly slowest: readonly HistoricSlowTest[];
}

/** A finished run, as `EvidenceWriter.finish` takes it. */
export interface EvidenceRun {
  readonly id: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: EvidenceSettings;
  /** Every suite of the run, in the order the summary should list them. */
  readonly suites: readonly SuiteResult[];
  readonly exitCode: number;
  readonly history?: EvidenceHistory;
}

/** One suite in `manifest.json`. */
export interface ManifestSuite {
  readonly name: string;
  readonly status: SuiteStatus;
  readonly attempts: number;
  readonly counts: TestCounts | null;
  readonly duration_ms: number;
  readonly started_at: string | null;
  readonly error: string | null;
  /** Relative paths: the suite's folder, its whole log and each attempt's folder. */
  readonly dir: string;
  readonly stdout_log: string | null;
  readonly attempt_dirs: readonly string[];
}

/** `manifest.json`: what ran, where, with which settings, and how it ended. Written last of all. */
export interface EvidenceManifest {
  readonly format: 'flotilla-suites-evidence';
  readonly format_version: 1;
  readonly run_id: string;
  readonly started_at: string;
  readonly finished_at: string;
  /** Milliseconds from the run's start to its end. */
  readonly wall_ms: number;
  /** The suites' durations added up: the time the run would take one suite after the other. */
  readonly sum_ms: number;
  /** `sum_ms / wall_ms`, two decimals; `null` for a run that took no time. */
  readonly speedup: number | null;
  readonly environment: EvidenceEnvironment;
  readonly settings: {
    readonly parallel: boolean;
    readonly max_workers: number;
    readonly retries: number;
    readonly fail_fast: boolean;
  };
  readonly suites: readonly ManifestSuite[];
  readonly totals: {
    /** Suites by final status, every status present. */
    readonly suites: Readonly<Record<SuiteStatus, number>>;
    /** The suites' tests by final status (stand-ins for a suite's own failure not counted). */
    readonly tests: TestCounts;
  };
  readonly history: {
    readonly flaky: readonly { suite: string; test_id: string; flake_rate: number; runs: number }[];
    readonly slowest: readonly { suite: string; test_id: string; median_ms: number; runs: number }[];
  } | null;
  /** The other files, relative to the folder. */
  readonly files: { readonly ctrf: string; readonly junit: string; readonly summary: string };
  readonly exit_code: number;
}

const SUITE_STATUSES: readonly SuiteStatus[] = [
  'passed',
  'failed',
  'flaky',
  'timed_out',
  'error',
  'no_report',
  'skipped',
  'cancelled',
];

/** The tests of `suites` by final status. */
export function countTests(suites: readonly SuiteResult[]): TestCounts {
  const counts: Record<TestStatus, number> = { passed: 0, failed: 0, skipped: 0, flaky: 0 };
  let total = 0;
  for (const suite of suites) {
    for (const test of suite.tests) {
      counts[test.status] += 1;
      total += 1;
    }
  }
  return { total, ...counts };
}

/** The run's wall time, summed suite time and speed-up. */
export function runTimes(run: EvidenceRun): { wallMs: number; sumMs: number; speedup: number | null } {
  const wallMs = Math.max(0, Date.parse(run.finishedAt) - Date.parse(run.startedAt)) || 0;
  const sumMs = run.suites.reduce((sum, suite) => sum + suite.durationMs, 0);
  const speedup = wallMs > 0 ? Math.round((sumMs / wallMs) * 100) / 100 : null;
  return { wallMs, sumMs, speedup };
}

/**
 * The manifest of `run`. `hasLog(suite)` says whether the suite's `stdout.log` exists (a suite that never
 * started has none).
 */
export function buildManifest(
  run: EvidenceRun,
  environment: EvidenceEnvironment,
  hasLog: (suite: string) => boolean,
): EvidenceManifest {
  const { wallMs, sumMs, speedup } = runTimes(run);
  const bySuiteStatus = Object.fromEntries(SUITE_STATUSES.map((status) => [status, 0])) as Record<
    SuiteStatus,
    number
  >;
  for (const suite of run.suites) bySuiteStatus[suite.status] += 1;
  return {
    format: 'flotilla-suites-evidence',
    format_version: 1,
    run_id: run.id,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    wall_ms: wallMs,
    sum_ms: sumMs,
    speedup,
    environment,
    settings: {
      parallel: run.settings.parallel,
      max_workers: run.settings.maxWorkers,
      retries: run.settings.retries,
      fail_fast: run.settings.failFast,
    },
    suites: run.suites.map((suite) => ({
      name: suite.name,
      status: suite.status,
      attempts: suite.attempts.length,
      counts: suite.counts,
      duration_ms: suite.durationMs,
      started_at: suite.startedAt,
      error: suite.error,
      dir: suitePath(suite.name),
      stdout_log: hasLog(suite.name) ? suitePath(suite.name, LAYOUT.suiteLog) : null,
      attempt_dirs: suite.attempts.map((attempt) => attemptPath(suite.name, attempt.attempt)),
    })),
    totals: { suites: bySuiteStatus, tests: countTests(run.suites) },
    history:
      run.history === undefined
        ? null
        : {
            flaky: run.history.flaky.map((t) => ({
              suite: t.suite,
              test_id: t.testId,
              flake_rate: t.flakeRate,
              runs: t.runs,
            })),
            slowest: run.history.slowest.map((t) => ({
              suite: t.suite,
              test_id: t.testId,
              median_ms: t.medianMs,
              runs: t.runs,
            })),
          },
    files: { ctrf: LAYOUT.ctrf, junit: LAYOUT.junit, summary: LAYOUT.summary },
    exit_code: run.exitCode,
  };
}
