import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/index.js';
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
      leaseOwner: null,
      leaseExpiresAt: null,
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

describe('RunRepository leases', () => {
  beforeEach(() => {
    store.runs.insert({ id: 'r1', kind: 'workflow' });
  });

  it('acquire: free → taken; the holder may take it again; others wait for expiry', () => {
    expect(store.runs.acquireLease('r1', { owner: 'a', ttlMs: 30_000, now: at(0) })).toBe(true);
    expect(store.runs.get('r1')).toMatchObject({ leaseOwner: 'a', leaseExpiresAt: at(30) });
    expect(store.runs.acquireLease('r1', { owner: 'a', ttlMs: 30_000, now: at(10) })).toBe(true);
    expect(store.runs.acquireLease('r1', { owner: 'b', ttlMs: 30_000, now: at(39) })).toBe(false);
    expect(store.runs.get('r1')?.leaseOwner).toBe('a');
    expect(store.runs.acquireLease('r1', { owner: 'b', ttlMs: 30_000, now: at(40) })).toBe(true);
    expect(store.runs.get('r1')).toMatchObject({ leaseOwner: 'b', leaseExpiresAt: at(70) });
    expect(store.runs.acquireLease('nope', { owner: 'a', ttlMs: 1, now: at(0) })).toBe(false);
  });

  it('renew: only the holder, only before expiry', () => {
    store.runs.acquireLease('r1', { owner: 'a', ttlMs: 30_000, now: at(0) });
    expect(store.runs.renewLease('r1', { owner: 'b', ttlMs: 30_000, now: at(10) })).toBe(false);
    expect(store.runs.renewLease('r1', { owner: 'a', ttlMs: 30_000, now: at(20) })).toBe(true);
    expect(store.runs.get('r1')?.leaseExpiresAt).toBe(at(50));
    expect(store.runs.renewLease('r1', { owner: 'a', ttlMs: 30_000, now: at(50) })).toBe(false);
    expect(store.runs.get('r1')?.leaseExpiresAt).toBe(at(50));
  });

  it('release: only the holder; then anyone may acquire', () => {
    store.runs.acquireLease('r1', { owner: 'a', ttlMs: 30_000, now: at(0) });
    expect(store.runs.releaseLease('r1', 'b')).toBe(false);
    expect(store.runs.releaseLease('r1', 'a')).toBe(true);
    expect(store.runs.get('r1')).toMatchObject({ leaseOwner: null, leaseExpiresAt: null });
    expect(store.runs.acquireLease('r1', { owner: 'b', ttlMs: 30_000, now: at(1) })).toBe(true);
  });

  it('findExpiredLeases: running runs whose lease expired at or before now, oldest first', () => {
    store.runs.insert({ id: 'r2', kind: 'qa' });
    store.runs.insert({ id: 'r3', kind: 'qa' });
    store.runs.insert({ id: 'r4', kind: 'qa', status: 'succeeded' });
    store.runs.insert({ id: 'r5', kind: 'qa' });
    store.runs.acquireLease('r1', { owner: 'a', ttlMs: 10_000, now: at(0) });
    store.runs.acquireLease('r2', { owner: 'a', ttlMs: 60_000, now: at(0) });
    store.runs.acquireLease('r3', { owner: 'b', ttlMs: 5_000, now: at(0) });
    store.runs.acquireLease('r4', { owner: 'b', ttlMs: 5_000, now: at(0) });
    // r5 holds no lease: it is not "expired".
    expect(ids(store.runs.findExpiredLeases(at(4)))).toEqual([]);
    expect(ids(store.runs.findExpiredLeases(at(10)))).toEqual(['r1', 'r3']);
    expect(ids(store.runs.findExpiredLeases(at(60)))).toEqual(['r1', 'r2', 'r3']);
  });

  it('compares times correctly whatever offset the caller wrote them in', () => {
    store.runs.acquireLease('r1', { owner: 'a', ttlMs: 0, now: '2025-01-02T05:00:00+02:00' });
    expect(store.runs.get('r1')?.leaseExpiresAt).toBe(T0);
    expect(ids(store.runs.findExpiredLeases('2025-01-02T03:00:00Z'))).toEqual(['r1']);
    expect(ids(store.runs.findExpiredLeases('2025-01-02T03:59:59+01:00'))).toEqual([]);
  });

  it('rejects a bad ttl or time', () => {
    expect(() => store.runs.acquireLease('r1', { owner: 'a', ttlMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => store.runs.acquireLease('r1', { owner: 'a', ttlMs: 1, now: 'soon' })).toThrow(
      InvalidArgumentError,
    );
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
