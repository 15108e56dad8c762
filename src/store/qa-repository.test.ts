import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './store.js';
import { useTempStore } from './temp-store.fixture.js';

const temp = useTempStore('qa-urls');
let store: Store;
beforeEach(() => {
  store = temp.current();
  store.runs.insert({ id: 'qa1', kind: 'qa' });
});

const states = (): Record<string, string> =>
  Object.fromEntries(store.qa.list('qa1').map((row) => [row.url, row.state]));

describe('QaRepository', () => {
  it('keeps URLs in the order first seen, with their depth', () => {
    store.qa.record('qa1', undefined, [
      { url: 'http://a/', depth: 0 },
      { url: 'http://a/x', depth: 1 },
    ]);
    store.qa.record(
      'qa1',
      undefined,
      [{ url: 'http://a/y', depth: 1 }],
      [{ url: 'mailto:z', reason: 'mailto' }],
    );
    const rows = store.qa.list('qa1');
    expect(rows.map((row) => [row.seq, row.url, row.depth, row.state])).toEqual([
      [1, 'http://a/', 0, 'queued'],
      [2, 'http://a/x', 1, 'queued'],
      [3, 'http://a/y', 1, 'queued'],
      [4, 'mailto:z', 0, 'not_tested'],
    ]);
  });

  it('writes an outcome with its page, findings and claim, and the links it found, together', () => {
    store.qa.record('qa1', undefined, [{ url: 'http://a/', depth: 0 }]);
    store.qa.record(
      'qa1',
      {
        url: 'http://a/',
        depth: 0,
        tested: true,
        pageKey: 'http://a/',
        page: { status: 200 },
        findings: [{ id: 'F1' }],
      },
      [{ url: 'http://a/b', depth: 1 }],
      [{ url: 'http://b/', reason: 'another origin' }],
    );
    const [home] = store.qa.list('qa1');
    expect(home).toMatchObject({
      state: 'tested',
      claimed: true,
      depth: 0,
      pageKey: 'http://a/',
      page: { status: 200 },
      findings: [{ id: 'F1' }],
    });
    expect(states()).toEqual({ 'http://a/': 'tested', 'http://a/b': 'queued', 'http://b/': 'not_tested' });
  });

  it('lets a queue win over an unclaimed skip, and nothing undo a test or a claim', () => {
    store.qa.record('qa1', undefined, [], [{ url: 'http://a/deep', reason: 'too deep' }]);
    store.qa.record('qa1', undefined, [{ url: 'http://a/deep', depth: 2 }]);
    expect(store.qa.list('qa1')[0]).toMatchObject({ state: 'queued', depth: 2, reason: null });

    store.qa.record('qa1', {
      url: 'http://a/deep',
      depth: 2,
      tested: false,
      reason: 'same page as http://a/',
    });
    store.qa.record(
      'qa1',
      undefined,
      [{ url: 'http://a/deep', depth: 1 }],
      [{ url: 'http://a/deep', reason: 'x' }],
    );
    expect(store.qa.list('qa1')[0]).toMatchObject({
      state: 'not_tested',
      claimed: true,
      depth: 2,
      reason: 'same page as http://a/',
    });
  });

  it('rolls a whole record back when one write fails', () => {
    store.qa.record('qa1', undefined, [{ url: 'http://a/', depth: 0 }]);
    const tested = {
      url: 'http://a/',
      depth: 0,
      tested: true,
      pageKey: 'k',
      page: {},
      findings: [],
    } as const;
    // A depth that is not an integer fails in the STRICT table, after the outcome was written.
    expect(() =>
      store.qa.record('qa1', tested, [
        { url: 'http://a/new', depth: 1 },
        { url: 'http://a/bad', depth: 1.5 },
      ]),
    ).toThrow();
    expect(states()).toEqual({ 'http://a/': 'queued' });
  });

  it('goes with its run', () => {
    store.qa.record('qa1', undefined, [{ url: 'http://a/', depth: 0 }]);
    store.runs.delete('qa1');
    expect(store.qa.list('qa1')).toEqual([]);
  });
});
