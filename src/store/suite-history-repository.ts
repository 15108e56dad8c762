import type Database from 'better-sqlite3';
import { assertCount, assertNonNegative, InvalidArgumentError } from '../core/index.js';
import { decodeJson, encodeJson, encodeTime } from './sql-values.js';
import { guard } from './store-error.js';

/** How many recent suite runs `flakeRates` and `slowest` look at unless told otherwise. */
export const DEFAULT_HISTORY_RUNS = 20;
/** How many tests `slowest` returns unless told otherwise. */
export const DEFAULT_SLOWEST_LIMIT = 10;

/** The final status of a test in one suite run (the suites' `TestStatus`, which the store cannot import). */
export type HistoryTestStatus = 'passed' | 'failed' | 'skipped' | 'flaky';

/** A finished suite run, as `record` takes it. */
export interface SuiteRunInput {
  readonly id: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The orchestrator's exit code for the run. */
  readonly exitCode: number;
  /** Anything worth keeping about the run (counts by status, settings), stored as JSON. */
  readonly summary?: unknown;
}

/** One test of a suite run, as `record` takes it. */
export interface TestResultInput {
  readonly suite: string;
  readonly testId: string;
  readonly status: HistoryTestStatus;
  /** Milliseconds; rounded to a whole number when stored. */
  readonly durationMs: number;
  /** How many attempts of its suite ran the test. */
  readonly attempts: number;
}

/** A suite run as stored. */
export interface SuiteRunRecord {
  readonly id: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly exitCode: number;
  readonly summary: unknown;
  /** How many test rows the run recorded. */
  readonly tests: number;
}

/** How often a test was flaky or failed over its recent runs. */
export interface FlakeRate {
  readonly testId: string;
  /** The recent runs the test ran in (not skipped), at most `lastRuns`; 0 when it has no history. */
  readonly runs: number;
  /** How many of those runs it was flaky in (failed, then passed on a retry). */
  readonly flaky: number;
  /** How many of those runs it failed in, every attempt. */
  readonly failed: number;
  /** `flaky / runs`, from 0 to 1; 0 without history. */
  readonly flakeRate: number;
}

/** Options of `SuiteHistoryRepository.flakeRates`. */
export interface FlakeRateOptions {
  /**
   * How many of the test's most recent runs count (runs recorded last, among those that ran the test).
   * @default DEFAULT_HISTORY_RUNS
   */
  readonly lastRuns?: number;
}

/** A test's duration over recent runs. */
export interface SlowTest {
  readonly suite: string;
  readonly testId: string;
  /** The recent runs the test ran in (not skipped). */
  readonly runs: number;
  /** The median of its durations over those runs (the mean of the two middle ones for an even count). */
  readonly medianMs: number;
  readonly meanMs: number;
  readonly maxMs: number;
}

/** Options of `SuiteHistoryRepository.slowest`. */
export interface SlowestOptions {
  /** @default DEFAULT_SLOWEST_LIMIT */
  readonly limit?: number;
  /**
   * How many of the most recent suite runs count (those that ran the suite, when one is given).
   * @default DEFAULT_HISTORY_RUNS
   */
  readonly lastRuns?: number;
}

interface SuiteRunRow {
  id: string;
  started_at: string;
  finished_at: string;
  exit_code: number;
  summary: string | null;
  tests: number;
}

interface FlakeRow {
  test_id: string;
  runs: number;
  flaky: number;
  failed: number;
}

interface SlowRow {
  suite: string;
  test_id: string;
  runs: number;
  median_ms: number;
  mean_ms: number;
  max_ms: number;
}

type TestRow = [string, string, string, number, HistoryTestStatus, number, number];

// The ids come as one JSON array; as an IN list, SQLite sorts them and reads the covering index once per
// id, newest run first (a join on json_each made SQLite scan the whole suite's rows once per id).
const FLAKE_SQL = `
  WITH ranked AS (
    SELECT test_id, status, ROW_NUMBER() OVER (PARTITION BY test_id ORDER BY run_order DESC) AS rn
    FROM test_results
    WHERE suite = @suite AND test_id IN (SELECT value FROM json_each(@ids)) AND status <> 'skipped'
  )
  SELECT test_id, COUNT(*) AS runs, SUM(status = 'flaky') AS flaky, SUM(status = 'failed') AS failed
  FROM ranked WHERE rn <= @last GROUP BY test_id`;

// The median is the mean of the middle row (odd count) or the two middle rows (even count), found with
// window functions so SQLite does the whole computation and hands back only `limit` rows. CROSS JOIN
// keeps the recent runs outside, so SQLite reads their rows by primary key instead of the whole table.
const SLOWEST_SQL = `
  WITH recent AS (
    SELECT r.id FROM suite_runs r
    WHERE @suite IS NULL OR EXISTS (SELECT 1 FROM test_results t WHERE t.run_id = r.id AND t.suite = @suite)
    ORDER BY r.run_order DESC LIMIT @last
  ),
  durations AS (
    SELECT t.suite, t.test_id, t.duration_ms,
           ROW_NUMBER() OVER (PARTITION BY t.suite, t.test_id ORDER BY t.duration_ms) AS rn,
           COUNT(*) OVER (PARTITION BY t.suite, t.test_id) AS n
    FROM recent CROSS JOIN test_results t ON t.run_id = recent.id
    WHERE (@suite IS NULL OR t.suite = @suite) AND t.status <> 'skipped'
  )
  SELECT suite, test_id, MAX(n) AS runs,
         AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN duration_ms END) AS median_ms,
         AVG(duration_ms) AS mean_ms, MAX(duration_ms) AS max_ms
  FROM durations GROUP BY suite, test_id
  ORDER BY median_ms DESC, suite, test_id LIMIT @limit`;

function toRunRecord(row: SuiteRunRow): SuiteRunRecord {
  return {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    exitCode: row.exit_code,
    summary: decodeJson(row.summary),
    tests: row.tests,
  };
}

/**
 * The `suite_runs` and `test_results` tables: the history of `flotilla suites` runs, one row per test
 * per run, for flake rates and slow tests. History grows by a run's tests each run; `prune` bounds it.
 */
export class SuiteHistoryRepository {
  readonly #db: Database.Database;
  readonly #insertRun: Database.Statement<[Record<string, string | number | null>], { run_order: number }>;
  readonly #insertTest: Database.Statement<TestRow>;
  readonly #record: Database.Transaction<(run: SuiteRunInput, tests: readonly TestResultInput[]) => void>;
  readonly #flakes: Database.Statement<[{ ids: string; suite: string; last: number }], FlakeRow>;
  readonly #slowest: Database.Statement<[{ suite: string | null; last: number; limit: number }], SlowRow>;
  readonly #prune: Database.Statement<[number]>;
  readonly #recent: Database.Statement<[number], SuiteRunRow>;

  /** @internal The `Store` creates it; prepares every statement once. */
  constructor(db: Database.Database) {
    this.#db = db;
    this.#insertRun = db.prepare(`
      INSERT INTO suite_runs (id, run_order, started_at, finished_at, exit_code, summary)
      VALUES (@id, (SELECT COALESCE(MAX(run_order), 0) + 1 FROM suite_runs), @started_at, @finished_at,
              @exit_code, @summary)
      RETURNING run_order`);
    this.#insertTest = db.prepare(`
      INSERT INTO test_results (run_id, suite, test_id, run_order, status, duration_ms, attempts)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.#record = db.transaction((run: SuiteRunInput, tests: readonly TestResultInput[]) => {
      const inserted = this.#insertRun.get({
        id: run.id,
        started_at: encodeTime('startedAt', run.startedAt),
        finished_at: encodeTime('finishedAt', run.finishedAt),
        exit_code: run.exitCode,
        summary: encodeJson('summary', run.summary),
      });
      const order = inserted!.run_order;
      for (const test of tests) {
        this.#insertTest.run(
          run.id,
          test.suite,
          test.testId,
          order,
          test.status,
          Math.round(assertNonNegative('durationMs', test.durationMs)),
          assertCount('attempts', test.attempts, 0),
        );
      }
    });
    this.#flakes = db.prepare(FLAKE_SQL);
    this.#slowest = db.prepare(SLOWEST_SQL);
    this.#prune = db.prepare(`
      DELETE FROM suite_runs
      WHERE run_order <= (SELECT run_order FROM suite_runs ORDER BY run_order DESC LIMIT 1 OFFSET ?)`);
    this.#recent = db.prepare(`
      SELECT r.id, r.started_at, r.finished_at, r.exit_code, r.summary,
             (SELECT COUNT(*) FROM test_results t WHERE t.run_id = r.id) AS tests
      FROM suite_runs r ORDER BY r.run_order DESC LIMIT ?`);
  }

  /**
   * Records a finished suite run and its tests in one IMMEDIATE transaction (a savepoint inside a
   * `Store.transaction`): all of it or nothing. One insert per test.
   * @throws StoreError `E_STORE_DUPLICATE` when the run id is recorded already, or a (suite, test id)
   * appears twice in `tests`; InvalidArgumentError for a bad time, exit code, duration or attempt count.
   */
  record(run: SuiteRunInput, tests: readonly TestResultInput[]): void {
    if (!Number.isInteger(run.exitCode)) {
      throw new InvalidArgumentError(`Expected \`exitCode\` to be an integer, got ${String(run.exitCode)}`);
    }
    guard(this.#db, `record suite run ${run.id} (${tests.length} tests)`, () =>
      this.#record.immediate(run, tests),
    );
  }

  /**
   * The flake rate of each of `testIds` (duplicates once) in `suite`, over the most recent `lastRuns`
   * runs that ran it (a run where it was skipped does not count), in the order given. A test without
   * history gets zeros. One query for all the tests, however many: the ids go in as one JSON array.
   */
  flakeRates(suite: string, testIds: readonly string[], options: FlakeRateOptions = {}): FlakeRate[] {
    const last = assertCount('lastRuns', options.lastRuns ?? DEFAULT_HISTORY_RUNS, 1);
    const unique = [...new Set(testIds)];
    if (unique.length === 0) return [];
    const rows = guard(this.#db, `read the flake rates of ${unique.length} tests of ${suite}`, () =>
      this.#flakes.all({ ids: JSON.stringify(unique), suite, last }),
    );
    const byId = new Map(rows.map((row) => [row.test_id, row]));
    return unique.map((testId) => {
      const row = byId.get(testId);
      if (row === undefined) return { testId, runs: 0, flaky: 0, failed: 0, flakeRate: 0 };
      return {
        testId,
        runs: row.runs,
        flaky: row.flaky,
        failed: row.failed,
        flakeRate: row.flaky / row.runs,
      };
    });
  }

  /**
   * The tests with the highest median duration over the most recent `lastRuns` suite runs (those that ran
   * `suite`, when given; every suite otherwise), slowest first. Skipped rows do not count. The median,
   * not the mean, orders them: one run on a loaded machine does not make a test look slow.
   */
  slowest(suite: string | undefined, options: SlowestOptions = {}): SlowTest[] {
    const last = assertCount('lastRuns', options.lastRuns ?? DEFAULT_HISTORY_RUNS, 1);
    const limit = assertCount('limit', options.limit ?? DEFAULT_SLOWEST_LIMIT, 1);
    const rows = guard(this.#db, `read the slowest tests${suite === undefined ? '' : ` of ${suite}`}`, () =>
      this.#slowest.all({ suite: suite ?? null, last, limit }),
    );
    return rows.map((row) => ({
      suite: row.suite,
      testId: row.test_id,
      runs: row.runs,
      medianMs: row.median_ms,
      meanMs: row.mean_ms,
      maxMs: row.max_ms,
    }));
  }

  /**
   * Deletes every suite run but the `keepRuns` recorded last, with their tests; returns how many runs
   * went. The orchestrator calls it after each `record`, so history stays bounded.
   */
  prune(options: { readonly keepRuns: number }): number {
    const keep = assertCount('keepRuns', options.keepRuns, 0);
    return guard(this.#db, `prune the suite history to ${keep} runs`, () => this.#prune.run(keep)).changes;
  }

  /** The `limit` suite runs recorded last, newest first. */
  recentRuns(limit: number = DEFAULT_HISTORY_RUNS): SuiteRunRecord[] {
    const count = assertCount('limit', limit, 1);
    const rows = guard(this.#db, 'list the recent suite runs', () => this.#recent.all(count));
    return rows.map(toRunRecord);
  }
}
