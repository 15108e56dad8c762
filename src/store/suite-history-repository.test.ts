import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION, userVersion } from './migrations.js';
import { openStore, STORE_FILE_NAME, type Store } from './store.js';
import type { HistoryTestStatus, SuiteRunInput, TestResultInput } from './suite-history-repository.js';
import { useTempStore } from './temp-store.fixture.js';

const temp = useTempStore('suite-history');
let store: Store;
beforeEach(() => {
  store = temp.current();
});

const T0 = Date.parse('2025-01-02T03:00:00.000Z');
/** Suite run number `n`, started n minutes after T0 and lasting 30 s. */
function run(n: number, exitCode = 0): SuiteRunInput {
  return {
    id: `run-${n}`,
    startedAt: new Date(T0 + n * 60_000).toISOString(),
    finishedAt: new Date(T0 + n * 60_000 + 30_000).toISOString(),
    exitCode,
    summary: { n },
  };
}
function test(
  testId: string,
  status: HistoryTestStatus,
  durationMs = 10,
  suite = 'unit',
  attempts = status === 'flaky' ? 2 : 1,
): TestResultInput {
  return { suite, testId, status, durationMs, attempts };
}
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
function rowCount(): number {
  const db = new Database(store.path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM test_results').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('SuiteHistoryRepository.record', () => {
  it('stores a run with its summary and its tests', () => {
    store.suiteHistory.record(run(1), [test('a', 'passed'), test('b', 'failed', 12.6)]);
    store.suiteHistory.record(run(2, 1), []);
    expect(store.suiteHistory.recentRuns()).toEqual([
      { ...run(2, 1), tests: 0 },
      { ...run(1), tests: 2 },
    ]);
    expect(store.suiteHistory.recentRuns(1).map((r) => r.id)).toEqual(['run-2']);
    expect(store.suiteHistory.slowest('unit').map((t) => [t.testId, t.medianMs])).toEqual([
      ['b', 13],
      ['a', 10],
    ]);
  });

  it('writes all or nothing: a duplicate run id or test row leaves the history as it was', () => {
    store.suiteHistory.record(run(1), [test('a', 'passed')]);
    const again = thrown(() => store.suiteHistory.record(run(1), [test('z', 'passed')]));
    expect(hasCode(again, 'E_STORE_DUPLICATE')).toBe(true);
    const twice = thrown(() => store.suiteHistory.record(run(2), [test('a', 'passed'), test('a', 'failed')]));
    expect(hasCode(twice, 'E_STORE_DUPLICATE')).toBe(true);
    const bad = thrown(() => store.suiteHistory.record(run(3), [test('a', 'passed', -1)]));
    expect(hasCode(bad, 'E_INVALID_ARGUMENT')).toBe(true);
    expect(() => store.suiteHistory.record({ ...run(4), exitCode: 1.5 }, [])).toThrow(/exitCode/);
    expect(store.suiteHistory.recentRuns().map((r) => r.id)).toEqual(['run-1']);
    expect(rowCount()).toBe(1);
  });

  it('keeps the same test id in two suites apart', () => {
    store.suiteHistory.record(run(1), [test('a', 'flaky', 5, 'unit'), test('a', 'passed', 50, 'e2e')]);
    expect(store.suiteHistory.flakeRates('unit', ['a'])[0]?.flaky).toBe(1);
    expect(store.suiteHistory.flakeRates('e2e', ['a'])[0]?.flaky).toBe(0);
  });
});

describe('SuiteHistoryRepository.flakeRates', () => {
  beforeEach(() => {
    // Six runs, oldest first. `steady` always passes; `wobbly` is flaky in runs 2, 4 and 6;
    // `broken` fails in runs 5 and 6; `newcomer` only exists from run 5; `sometimes` is skipped in 6.
    for (let n = 1; n <= 6; n++) {
      const tests = [
        test('steady', 'passed'),
        test('wobbly', n % 2 === 0 ? 'flaky' : 'passed'),
        test('broken', n >= 5 ? 'failed' : 'passed'),
        test('sometimes', n === 6 ? 'skipped' : n === 5 ? 'flaky' : 'passed'),
      ];
      if (n >= 5) tests.push(test('newcomer', n === 6 ? 'flaky' : 'passed'));
      store.suiteHistory.record(run(n), tests);
    }
  });

  it('counts flaky and failed runs over all runs, in the order asked, each id once', () => {
    const rates = store.suiteHistory.flakeRates('unit', ['wobbly', 'steady', 'broken', 'wobbly', 'nope']);
    expect(rates).toEqual([
      { testId: 'wobbly', runs: 6, flaky: 3, failed: 0, flakeRate: 0.5 },
      { testId: 'steady', runs: 6, flaky: 0, failed: 0, flakeRate: 0 },
      { testId: 'broken', runs: 6, flaky: 0, failed: 2, flakeRate: 0 },
      { testId: 'nope', runs: 0, flaky: 0, failed: 0, flakeRate: 0 },
    ]);
    expect(store.suiteHistory.flakeRates('unit', [])).toEqual([]);
    expect(store.suiteHistory.flakeRates('other-suite', ['wobbly'])[0]?.runs).toBe(0);
  });

  it('looks at the most recent lastRuns runs that ran the test', () => {
    const rates = store.suiteHistory.flakeRates('unit', ['wobbly', 'broken', 'newcomer', 'sometimes'], {
      lastRuns: 3,
    });
    expect(rates).toEqual([
      // Runs 4, 5, 6: flaky in 4 and 6.
      { testId: 'wobbly', runs: 3, flaky: 2, failed: 0, flakeRate: 2 / 3 },
      { testId: 'broken', runs: 3, flaky: 0, failed: 2, flakeRate: 0 },
      // Only two runs have it.
      { testId: 'newcomer', runs: 2, flaky: 1, failed: 0, flakeRate: 0.5 },
      // Skipped in run 6, so its last three runs are 3, 4 and 5.
      { testId: 'sometimes', runs: 3, flaky: 1, failed: 0, flakeRate: 1 / 3 },
    ]);
  });

  it('refuses a lastRuns below 1', () => {
    expect(() => store.suiteHistory.flakeRates('unit', ['a'], { lastRuns: 0 })).toThrow(/lastRuns/);
  });
});

describe('SuiteHistoryRepository.slowest', () => {
  it('orders by the median duration, so one slow outlier does not make a test the slowest', () => {
    const spiky = [10, 10, 1_000, 10];
    const steady = [100, 100, 100, 100];
    spiky.forEach((ms, i) =>
      store.suiteHistory.record(run(i + 1), [
        test('spiky', 'passed', ms),
        test('steady', 'passed', steady[i]),
      ]),
    );
    expect(store.suiteHistory.slowest('unit')).toEqual([
      { suite: 'unit', testId: 'steady', runs: 4, medianMs: 100, meanMs: 100, maxMs: 100 },
      { suite: 'unit', testId: 'spiky', runs: 4, medianMs: 10, meanMs: 257.5, maxMs: 1_000 },
    ]);
  });

  it('takes the mean of the two middle durations for an even count; skipped runs do not count', () => {
    [10, 40, 20, 30].forEach((ms, i) => store.suiteHistory.record(run(i + 1), [test('t', 'passed', ms)]));
    store.suiteHistory.record(run(5), [test('t', 'skipped', 0)]);
    expect(store.suiteHistory.slowest('unit')[0]).toMatchObject({ runs: 4, medianMs: 25, maxMs: 40 });
  });

  it('looks at the last runs of the suite (or of all suites), across suites, up to limit', () => {
    // e2e ran in runs 1-3 only; unit in every run, slow in the old runs and fast in the last two.
    for (let n = 1; n <= 5; n++) {
      const tests = [test('u', 'passed', n <= 3 ? 500 : 5, 'unit')];
      if (n <= 3) tests.push(test('e', 'passed', 200, 'e2e'), test('e-fast', 'passed', 1, 'e2e'));
      store.suiteHistory.record(run(n), tests);
    }
    const ids = (tests: readonly { suite: string; testId: string }[]): string[] =>
      tests.map((t) => `${t.suite}:${t.testId}`);
    expect(ids(store.suiteHistory.slowest(undefined, { lastRuns: 2 }))).toEqual(['unit:u']);
    expect(store.suiteHistory.slowest(undefined, { lastRuns: 2 })[0]?.medianMs).toBe(5);
    expect(ids(store.suiteHistory.slowest(undefined))).toEqual(['unit:u', 'e2e:e', 'e2e:e-fast']);
    expect(ids(store.suiteHistory.slowest(undefined, { limit: 1 }))).toEqual(['unit:u']);
    // The last two runs that ran e2e are runs 2 and 3, though it is absent from runs 4 and 5.
    expect(store.suiteHistory.slowest('e2e', { lastRuns: 2 })).toEqual([
      { suite: 'e2e', testId: 'e', runs: 2, medianMs: 200, meanMs: 200, maxMs: 200 },
      { suite: 'e2e', testId: 'e-fast', runs: 2, medianMs: 1, meanMs: 1, maxMs: 1 },
    ]);
    expect(store.suiteHistory.slowest('nope')).toEqual([]);
    expect(() => store.suiteHistory.slowest(undefined, { limit: 0 })).toThrow(/limit/);
  });
});

describe('SuiteHistoryRepository.prune', () => {
  it('keeps the runs recorded last, with their tests, and deletes the rest', () => {
    for (let n = 1; n <= 5; n++) store.suiteHistory.record(run(n), [test('a', 'flaky'), test('b', 'passed')]);
    expect(store.suiteHistory.prune({ keepRuns: 2 })).toBe(3);
    expect(store.suiteHistory.recentRuns().map((r) => r.id)).toEqual(['run-5', 'run-4']);
    expect(rowCount()).toBe(4);
    expect(store.suiteHistory.flakeRates('unit', ['a'])[0]).toMatchObject({ runs: 2, flaky: 2 });
    expect(store.suiteHistory.prune({ keepRuns: 2 })).toBe(0);
    expect(store.suiteHistory.prune({ keepRuns: 10 })).toBe(0);
    expect(store.suiteHistory.prune({ keepRuns: 0 })).toBe(2);
    expect(rowCount()).toBe(0);
    expect(() => store.suiteHistory.prune({ keepRuns: -1 })).toThrow(/keepRuns/);
  });

  it('orders runs by when they were recorded, not by their start times', () => {
    store.suiteHistory.record(run(9), []);
    store.suiteHistory.record(run(1), []);
    store.suiteHistory.prune({ keepRuns: 1 });
    expect(store.suiteHistory.recentRuns().map((r) => r.id)).toEqual(['run-1']);
  });
});

describe('SuiteHistoryRepository with 5,000 tests a run', () => {
  it('records and queries them correctly', () => {
    const count = 5_000;
    const runs = 4;
    const statusOf = (i: number, n: number): HistoryTestStatus =>
      i % 10 === 0 && n % 2 === 0 ? 'flaky' : i % 97 === 0 && n === runs ? 'failed' : 'passed';
    const durationOf = (i: number, n: number): number => (i % 1_000) + n;
    for (let n = 1; n <= runs; n++) {
      const tests = Array.from({ length: count }, (_, i) => test(`t${i}`, statusOf(i, n), durationOf(i, n)));
      store.suiteHistory.record(run(n), tests);
    }
    expect(rowCount()).toBe(count * runs);
    const ids = Array.from({ length: count }, (_, i) => `t${i}`);
    const rates = store.suiteHistory.flakeRates('unit', ids, { lastRuns: 3 });
    expect(rates).toHaveLength(count);
    rates.forEach((rate, i) => {
      const statuses = [2, 3, 4].map((n) => statusOf(i, n));
      const flaky = statuses.filter((s) => s === 'flaky').length;
      const failed = statuses.filter((s) => s === 'failed').length;
      expect(rate).toEqual({ testId: `t${i}`, runs: 3, flaky, failed, flakeRate: flaky / 3 });
    });
    // The slowest have i % 1000 = 999 (durations 1000..1003, median 1001.5), then 998, by id.
    const slowest = store.suiteHistory.slowest('unit', { limit: 6 });
    expect(slowest.map((t) => t.testId)).toEqual(['t1999', 't2999', 't3999', 't4999', 't999', 't1998']);
    expect(slowest[0]).toMatchObject({ runs: 4, medianMs: 1_001.5, meanMs: 1_001.5, maxMs: 1_003 });
  });
});

describe('schema version 4', () => {
  it('migrates a version 3 database, keeping what it holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-v3-'));
    try {
      const path = join(dir, STORE_FILE_NAME);
      const old = new Database(path);
      migrate(old, MIGRATIONS.slice(0, 3));
      expect(userVersion(old)).toBe(3);
      old
        .prepare(
          `INSERT INTO jobs (id, queue_order, status, agent, prompt, created_at)
           VALUES ('j1', 1, 'succeeded', 'a', 'p', '2025-01-02T03:00:00.000Z')`,
        )
        .run();
      old.close();
      const reopened = openStore({ path });
      try {
        expect(reopened.schemaVersion).toBe(SCHEMA_VERSION);
        expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(4);
        expect(reopened.jobs.get('j1')?.prompt).toBe('p');
        reopened.suiteHistory.record(run(1), [test('a', 'flaky')]);
        expect(reopened.suiteHistory.flakeRates('unit', ['a'])[0]?.flakeRate).toBe(1);
      } finally {
        reopened.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
