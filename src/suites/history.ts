import type { FlakeRate, SlowTest, SuiteHistoryRepository } from '../store/index.js';
import type { SuiteResult } from './types.js';

/** Where per-test outcomes are kept across runs: the store's suite history (`store.suiteHistory`). */
export type SuiteHistory = Pick<SuiteHistoryRepository, 'record' | 'flakeRates' | 'slowest' | 'prune'>;

/** What a run reports from history: tests flaky over recent runs, and the slowest. */
export interface SuitesHistoryReport {
  /** Runs looked back over. */
  readonly lastRuns: number;
  /** Tests of this run that were flaky at least once over recent runs, highest rate first. */
  readonly flaky: readonly (FlakeRate & { readonly suite: string })[];
  /** The slowest tests over recent runs, slowest first. */
  readonly slowest: readonly SlowTest[];
}

/** Runs that flake rates and the slowest tests look back over. */
export const HISTORY_WINDOW_RUNS = 20;
/** The slowest tests a run reports. */
export const SLOWEST_TESTS = 10;

/**
 * Records a finished run's tests in `history`, prunes it to `keepRuns`, and reads back the flake rates
 * of this run's tests and the slowest tests over recent runs (this one included).
 */
export function historyOf(
  history: SuiteHistory,
  run: {
    readonly id: string;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly exitCode: number;
    readonly suites: readonly SuiteResult[];
    readonly keepRuns: number;
  },
): SuitesHistoryReport {
  const tests = run.suites.flatMap((suite) =>
    suite.tests.map((test) => ({
      suite: suite.name,
      testId: test.id,
      status: test.status,
      durationMs: test.durationMs,
      attempts: test.outcomes.length,
    })),
  );
  const summary = run.suites.map((suite) => ({
    name: suite.name,
    status: suite.status,
    counts: suite.counts,
  }));
  history.record(
    { id: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt, exitCode: run.exitCode, summary },
    tests,
  );
  history.prune({ keepRuns: run.keepRuns });
  const flaky = run.suites
    .flatMap((suite) =>
      history
        .flakeRates(
          suite.name,
          suite.tests.map((test) => test.id),
          { lastRuns: HISTORY_WINDOW_RUNS },
        )
        .filter((rate) => rate.flaky > 0)
        .map((rate) => ({ suite: suite.name, ...rate })),
    )
    .sort((a, b) => b.flakeRate - a.flakeRate || a.testId.localeCompare(b.testId));
  const slowest = history.slowest(undefined, { limit: SLOWEST_TESTS, lastRuns: HISTORY_WINDOW_RUNS });
  return { lastRuns: HISTORY_WINDOW_RUNS, flaky, slowest };
}
