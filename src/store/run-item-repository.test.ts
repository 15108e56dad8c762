import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/index.js';
import type { RunItemRecord } from './run-item-repository.js';
import { StoreError } from './store-error.js';
import { openStore, type Store } from './store.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-items-'));
  store = openStore({ home: dir });
  store.runs.insert({ id: 'r1', kind: 'workflow' });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = '2025-01-02T03:00:00.000Z';
const T1 = '2025-01-02T03:00:09.000Z';
const itemIds = (items: readonly RunItemRecord[]): string[] => items.map((i) => i.itemId);

describe('RunItemRepository.upsert', () => {
  it('inserts a new item with its defaults', () => {
    const item = store.items.upsert({ runId: 'r1', itemId: 'fan:t:0', idx: 0, status: 'pending' });
    expect(item).toEqual({
      runId: 'r1',
      itemId: 'fan:t:0',
      parentId: null,
      stepId: null,
      idx: 0,
      status: 'pending',
      attempts: 0,
      output: null,
      error: null,
      startedAt: null,
      finishedAt: null,
    });
    expect(store.items.get('r1', 'fan:t:0')).toEqual(item);
  });

  it('updates the same row in place: given fields change, absent ones stay, null clears', () => {
    store.items.upsert({
      runId: 'r1',
      itemId: 'a',
      parentId: 'fan',
      stepId: 'build',
      idx: 3,
      status: 'running',
      attempts: 1,
      error: 'flaky',
      startedAt: T0,
    });
    const item = store.items.upsert({
      runId: 'r1',
      itemId: 'a',
      idx: 3,
      status: 'succeeded',
      output: { ok: true, files: ['x'] },
      error: null,
      finishedAt: T1,
    });
    expect(item).toEqual({
      runId: 'r1',
      itemId: 'a',
      parentId: 'fan',
      stepId: 'build',
      idx: 3,
      status: 'succeeded',
      attempts: 1,
      output: { ok: true, files: ['x'] },
      error: null,
      startedAt: T0,
      finishedAt: T1,
    });
    expect(store.items.listForRun('r1')).toEqual([item]);
  });

  it('a write touches only its own item, however many the run has', () => {
    const count = 1000;
    store.transaction(() => {
      for (let i = 0; i < count; i++)
        store.items.upsert({ runId: 'r1', itemId: `i${i}`, idx: i, status: 'pending' });
    });
    const before = store.items.listForRun('r1');
    store.items.upsert({ runId: 'r1', itemId: 'i500', idx: 500, status: 'succeeded', output: 500 });
    store.items.upsert({ runId: 'r1', itemId: 'i500', idx: 500, status: 'succeeded', attempts: 2 });
    const after = store.items.listForRun('r1');
    const expected = before.map((item, i) =>
      i === 500 ? { ...item, status: 'succeeded', output: 500, attempts: 2 } : item,
    );
    expect(after).toEqual(expected);
  });

  it('refuses an item of an unknown run (foreign key) and a bad idx', () => {
    expect(() => store.items.upsert({ runId: 'nope', itemId: 'a', idx: 0, status: 'pending' })).toThrow(
      StoreError,
    );
    expect(() => store.items.upsert({ runId: 'r1', itemId: 'a', idx: -1, status: 'pending' })).toThrow(
      InvalidArgumentError,
    );
  });

  it('keeps items apart per run', () => {
    store.runs.insert({ id: 'r2', kind: 'workflow' });
    store.items.upsert({ runId: 'r1', itemId: 'a', idx: 0, status: 'pending' });
    store.items.upsert({ runId: 'r2', itemId: 'a', idx: 0, status: 'failed' });
    expect(store.items.get('r1', 'a')?.status).toBe('pending');
    expect(store.items.get('r2', 'a')?.status).toBe('failed');
    expect(store.items.get('r3', 'a')).toBeUndefined();
  });
});

describe('RunItemRepository.listForRun', () => {
  it('lists in idx order, never write order', () => {
    for (const idx of [2, 0, 3, 1]) {
      store.items.upsert({ runId: 'r1', itemId: `fan:t:${idx}`, idx, status: 'succeeded' });
    }
    expect(itemIds(store.items.listForRun('r1'))).toEqual(['fan:t:0', 'fan:t:1', 'fan:t:2', 'fan:t:3']);
    expect(store.items.listForRun('other')).toEqual([]);
  });

  it('lists the children of one parent only', () => {
    store.items.upsert({ runId: 'r1', itemId: 'x:t:1', parentId: 'x', idx: 1, status: 'pending' });
    store.items.upsert({ runId: 'r1', itemId: 'y:t:0', parentId: 'y', idx: 0, status: 'pending' });
    store.items.upsert({ runId: 'r1', itemId: 'x:t:0', parentId: 'x', idx: 0, status: 'pending' });
    store.items.upsert({ runId: 'r1', itemId: 'top', idx: 0, status: 'running' });
    expect(itemIds(store.items.listForRun('r1', { parentId: 'x' }))).toEqual(['x:t:0', 'x:t:1']);
    expect(itemIds(store.items.listForRun('r1'))).toEqual(['top', 'x:t:0', 'y:t:0', 'x:t:1']);
  });

  it('survives a reopen: finished items are there to skip on resume', () => {
    store.items.upsert({ runId: 'r1', itemId: 'a', idx: 0, status: 'succeeded', output: { n: 1 } });
    store.close();
    store = openStore({ home: dir });
    expect(store.items.get('r1', 'a')).toMatchObject({ status: 'succeeded', output: { n: 1 } });
  });
});
