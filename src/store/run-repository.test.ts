import { beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from './run-repository.js';
import type { Store } from './store.js';
import { useTempStore } from './temp-store.fixture.js';

const temp = useTempStore('runs');
let store: Store;
beforeEach(() => {
  store = temp.current();
});

const T0 = '2025-01-02T03:00:00.000Z';
/** The ISO time `seconds` after T0. */
const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const ids = (runs: readonly RunRecord[]): string[] => runs.map((r) => r.id);

describe('RunRepository.insert, get and update', () => {
  it('stores a run with its defaults', () => {
    const run = store.runs.insert({ id: 'r1', kind: 'workflow', createdAt: T0 });
    expect(run).toEqual({
      id: 'r1',
      kind: 'workflow',
      name: null,
      status: 'running',
      spec: null,
      inputs: null,
      output: null,
      error: null,
      createdAt: T0,
      startedAt: null,
      finishedAt: null,
    });
    expect(store.runs.get('r1')).toEqual(run);
    expect(store.runs.get('nope')).toBeUndefined();
  });

  it('keeps JSON fields and accepts kinds it does not know', () => {
    const run = store.runs.insert({
      id: 'r1',
      kind: 'custom-kind',
      name: 'nightly',
      status: 'paused',
      spec: { steps: [{ id: 'a' }] },
      inputs: { branch: 'main' },
      startedAt: T0,
    });
    expect(run).toMatchObject({
      kind: 'custom-kind',
      name: 'nightly',
      status: 'paused',
      spec: { steps: [{ id: 'a' }] },
      inputs: { branch: 'main' },
      startedAt: T0,
    });
  });

  it('updates only the given fields; null clears one', () => {
    store.runs.insert({ id: 'r1', kind: 'qa', name: 'crawl', inputs: { url: 'x' } });
    store.runs.update('r1', { error: 'first try failed', output: { pages: 1 } });
    const run = store.runs.update('r1', { status: 'succeeded', finishedAt: at(60), error: null });
    expect(run).toMatchObject({
      name: 'crawl',
      inputs: { url: 'x' },
      status: 'succeeded',
      output: { pages: 1 },
      error: null,
      finishedAt: at(60),
    });
    expect(store.runs.update('nope', { status: 'failed' })).toBeUndefined();
  });

  it('refuses a duplicate id', () => {
    store.runs.insert({ id: 'r1', kind: 'qa' });
    expect(() => store.runs.insert({ id: 'r1', kind: 'qa' })).toThrow(
      expect.objectContaining({ code: 'E_STORE_DUPLICATE' }),
    );
  });
});

describe('RunRepository.list', () => {
  beforeEach(() => {
    const kinds = ['workflow', 'qa', 'workflow', 'suites', 'workflow'];
    kinds.forEach((kind, i) => store.runs.insert({ id: `r${i + 1}`, kind }));
    store.runs.update('r3', { status: 'failed' });
  });

  it('lists newest first with cursor pagination', () => {
    const first = store.runs.list({ limit: 2 });
    expect(ids(first.items)).toEqual(['r5', 'r4']);
    const second = store.runs.list({ limit: 2, cursor: first.nextCursor });
    expect(ids(second.items)).toEqual(['r3', 'r2']);
    const third = store.runs.list({ limit: 2, cursor: second.nextCursor });
    expect(ids(third.items)).toEqual(['r1']);
    expect(third.nextCursor).toBeNull();
  });

  it('filters by kind and by status', () => {
    expect(ids(store.runs.list({ kind: 'workflow' }).items)).toEqual(['r5', 'r3', 'r1']);
    expect(ids(store.runs.list({ status: 'running', kind: 'workflow' }).items)).toEqual(['r5', 'r1']);
    const first = store.runs.list({ kind: 'workflow', limit: 1 });
    expect(ids(store.runs.list({ kind: 'workflow', limit: 5, cursor: first.nextCursor }).items)).toEqual([
      'r3',
      'r1',
    ]);
  });
});

describe('RunRepository.delete', () => {
  it('deletes the run and its items', () => {
    store.runs.insert({ id: 'r1', kind: 'workflow' });
    store.items.upsert({ runId: 'r1', itemId: 'a', idx: 0, status: 'pending' });
    expect(store.runs.delete('r1')).toBe(true);
    expect(store.runs.delete('r1')).toBe(false);
    expect(store.items.get('r1', 'a')).toBeUndefined();
  });
});
