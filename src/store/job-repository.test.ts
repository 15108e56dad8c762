import { beforeEach, describe, expect, it } from 'vitest';
import { hasCode, InvalidArgumentError } from '../core/index.js';
import type { JobStatus } from '../events/index.js';
import type { JobRecord, NewJob } from './job-repository.js';
import type { Store } from './store.js';
import { useTempStore } from './temp-store.fixture.js';

const temp = useTempStore('jobs');
let store: Store;
beforeEach(() => {
  store = temp.current();
});

const T0 = '2025-01-02T03:04:05.000Z';

function job(id: string, extra: Partial<NewJob> = {}): NewJob {
  return { id, agent: 'claude', prompt: `do ${id}`, spec: { id }, createdAt: T0, ...extra };
}

/** Inserts `count` jobs j1…jN in order. */
function insertJobs(count: number, status: (i: number) => JobStatus = () => 'queued'): void {
  for (let i = 1; i <= count; i++) store.jobs.insert(job(`j${i}`, { status: status(i) }));
}

const ids = (jobs: readonly JobRecord[]): string[] => jobs.map((j) => j.id);

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('JobRepository.insert and get', () => {
  it('stores a job with its defaults and returns it as stored', () => {
    const inserted = store.jobs.insert({ id: 'j1', agent: 'claude', prompt: 'fix it', spec: { a: [1, 2] } });
    expect(inserted).toMatchObject({
      id: 'j1',
      queueOrder: 1,
      status: 'queued',
      agent: 'claude',
      prompt: 'fix it',
      repo: null,
      ref: null,
      priority: 0,
      spec: { a: [1, 2] },
      startedAt: null,
      finishedAt: null,
      exitCode: null,
      signal: null,
      error: null,
      outputTail: null,
      result: null,
      attempts: 0,
    });
    expect(Date.parse(inserted.createdAt)).not.toBeNaN();
    expect(store.jobs.get('j1')).toEqual(inserted);
  });

  it('keeps every given field, and normalises times to UTC ISO form', () => {
    const inserted = store.jobs.insert({
      ...job('j1'),
      repo: 'app',
      ref: 'main',
      priority: 5,
      status: 'running',
      attempts: 2,
      createdAt: '2025-01-02T04:04:05+01:00',
    });
    expect(inserted).toMatchObject({ repo: 'app', ref: 'main', priority: 5, status: 'running', attempts: 2 });
    expect(inserted.createdAt).toBe(T0);
  });

  it('gives each insert a higher queue order', () => {
    insertJobs(3);
    expect([1, 2, 3].map((i) => store.jobs.get(`j${i}`)?.queueOrder)).toEqual([1, 2, 3]);
  });

  it('refuses a duplicate id with E_STORE_DUPLICATE and keeps the first', () => {
    store.jobs.insert(job('j1'));
    expect(() => store.jobs.insert(job('j1', { prompt: 'other' }))).toThrow(
      expect.objectContaining({ code: 'E_STORE_DUPLICATE' }),
    );
    expect(store.jobs.get('j1')?.prompt).toBe('do j1');
  });

  it('rejects an invalid time or a spec that is not JSON with InvalidArgumentError', () => {
    expect(() => store.jobs.insert(job('j1', { createdAt: 'yesterday' }))).toThrow(InvalidArgumentError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => store.jobs.insert(job('j2', { spec: cyclic }))).toThrow(/`spec`/);
    expect(store.jobs.list().items).toEqual([]);
  });

  it('returns undefined for an unknown id', () => {
    expect(store.jobs.get('nope')).toBeUndefined();
  });
});

describe('JobRepository.update and transition', () => {
  it('changes only the given fields; null clears one', () => {
    store.jobs.insert(job('j1'));
    store.jobs.update('j1', { status: 'running', startedAt: T0, error: 'transient', attempts: 1 });
    const updated = store.jobs.update('j1', {
      status: 'succeeded',
      finishedAt: '2025-01-02T03:05:00Z',
      exitCode: 0,
      signal: null,
      error: null,
      outputTail: 'done',
      result: { durationMs: 12, changedFiles: ['a.ts'] },
    });
    expect(updated).toMatchObject({
      status: 'succeeded',
      startedAt: T0,
      finishedAt: '2025-01-02T03:05:00.000Z',
      exitCode: 0,
      error: null,
      outputTail: 'done',
      result: { durationMs: 12, changedFiles: ['a.ts'] },
      attempts: 1,
      prompt: 'do j1',
      queueOrder: 1,
    });
    expect(store.jobs.get('j1')).toEqual(updated);
  });

  it('an empty patch changes nothing; an unknown id gives undefined', () => {
    const inserted = store.jobs.insert(job('j1'));
    expect(store.jobs.update('j1', {})).toEqual(inserted);
    expect(store.jobs.update('nope', { status: 'failed' })).toBeUndefined();
  });

  it('transition is a compare-and-set on the status', () => {
    store.jobs.insert(job('j1'));
    const running = store.jobs.transition('j1', 'queued', 'running', { startedAt: T0 });
    expect(running).toMatchObject({ status: 'running', startedAt: T0 });
    // A cancel that lost the race does not overwrite the finish.
    expect(store.jobs.transition('j1', 'running', 'succeeded', { exitCode: 0 })?.status).toBe('succeeded');
    expect(store.jobs.transition('j1', ['queued', 'running'], 'cancelled')).toBeUndefined();
    expect(store.jobs.get('j1')).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(store.jobs.transition('nope', 'queued', 'running')).toBeUndefined();
  });
});

describe('JobRepository.start and finish', () => {
  it('start marks a job running from a time and counts the attempt, each time', () => {
    const inserted = store.jobs.insert(job('j1', { attempts: 1 }));
    expect(store.jobs.start('j1', '2025-01-02T04:04:05+01:00')).toBe(true);
    expect(store.jobs.get('j1')).toEqual({ ...inserted, status: 'running', startedAt: T0, attempts: 2 });
    store.jobs.start('j1', T0);
    expect(store.jobs.get('j1')?.attempts).toBe(3);
    expect(store.jobs.start('nope', T0)).toBe(false);
    expect(() => store.jobs.start('j1', 'soon')).toThrow(InvalidArgumentError);
  });

  it('finish writes every field of the ending, nulls included, and nothing else', () => {
    store.jobs.insert(job('j1'));
    store.jobs.update('j1', { exitCode: 9, signal: 'SIGTERM', error: 'earlier', outputTail: 'old' });
    store.jobs.start('j1', T0);
    const before = store.jobs.get('j1')!;
    const ending = {
      status: 'succeeded' as const,
      finishedAt: '2025-01-02T03:05:00Z',
      exitCode: 0,
      signal: null,
      error: null,
      outputTail: 'done',
      result: { timings: { run_ms: 12 }, changedFiles: ['a.ts'] },
    };
    expect(store.jobs.finish('j1', ending)).toBe(true);
    expect(store.jobs.get('j1')).toEqual({
      ...before,
      ...ending,
      finishedAt: '2025-01-02T03:05:00.000Z',
    });
    // An interrupted run leaves the job unfinished.
    store.jobs.finish('j1', { ...ending, status: 'interrupted', finishedAt: null, result: null });
    expect(store.jobs.get('j1')).toMatchObject({ status: 'interrupted', finishedAt: null, result: null });
    expect(store.jobs.finish('nope', ending)).toBe(false);
  });
});

describe('JobRepository.list', () => {
  it('lists newest first, page by page, with a cursor until the last page', () => {
    insertJobs(7);
    const first = store.jobs.list({ limit: 3 });
    expect(ids(first.items)).toEqual(['j7', 'j6', 'j5']);
    const second = store.jobs.list({ limit: 3, cursor: first.nextCursor });
    expect(ids(second.items)).toEqual(['j4', 'j3', 'j2']);
    const third = store.jobs.list({ limit: 3, cursor: second.nextCursor });
    expect(ids(third.items)).toEqual(['j1']);
    expect(third.nextCursor).toBeNull();
  });

  it('gives no cursor when the last page is exactly full', () => {
    insertJobs(4);
    const first = store.jobs.list({ limit: 2 });
    const second = store.jobs.list({ limit: 2, cursor: first.nextCursor });
    expect(ids(second.items)).toEqual(['j2', 'j1']);
    expect(second.nextCursor).toBeNull();
  });

  it('a cursor stays valid while newer jobs arrive: pages neither repeat nor skip', () => {
    insertJobs(4);
    const first = store.jobs.list({ limit: 2 });
    store.jobs.insert(job('j5'));
    expect(ids(store.jobs.list({ limit: 2, cursor: first.nextCursor }).items)).toEqual(['j2', 'j1']);
  });

  it('filters by status, with pagination inside the filter', () => {
    insertJobs(9, (i) => (i % 3 === 0 ? 'failed' : 'queued'));
    const first = store.jobs.list({ status: 'queued', limit: 4 });
    expect(ids(first.items)).toEqual(['j8', 'j7', 'j5', 'j4']);
    const second = store.jobs.list({ status: 'queued', limit: 4, cursor: first.nextCursor });
    expect(ids(second.items)).toEqual(['j2', 'j1']);
    expect(second.nextCursor).toBeNull();
    expect(ids(store.jobs.list({ status: 'failed' }).items)).toEqual(['j9', 'j6', 'j3']);
    expect(store.jobs.list({ status: 'running' })).toEqual({ items: [], nextCursor: null });
  });

  it('rejects a bad limit or a cursor it did not make', () => {
    for (const limit of [0, 1.5, 1001, Number.NaN]) {
      expect(() => store.jobs.list({ limit })).toThrow(InvalidArgumentError);
    }
    for (const cursor of ['', 'abc', Buffer.from('o-1').toString('base64url')]) {
      expect(
        hasCode(
          catchError(() => store.jobs.list({ cursor })),
          'E_INVALID_ARGUMENT',
        ),
      ).toBe(true);
    }
  });
});

describe('JobRepository.listByStatus (restart recovery)', () => {
  it('returns the jobs of the given statuses in FIFO queue order, after a restart too', () => {
    insertJobs(6);
    store.jobs.update('j2', { status: 'running' });
    store.jobs.update('j4', { status: 'succeeded' });
    store.jobs.update('j5', { status: 'running' });
    // A job raised in priority keeps its place in the queue order.
    store.jobs.update('j6', { priority: 9 });
    store = temp.reopen();
    expect(ids(store.jobs.listByStatus('queued'))).toEqual(['j1', 'j3', 'j6']);
    expect(ids(store.jobs.listByStatus(['queued', 'running']))).toEqual(['j1', 'j2', 'j3', 'j5', 'j6']);
    expect(store.jobs.listByStatus([])).toEqual([]);
  });

  it('keeps FIFO order for jobs inserted after a restart', () => {
    insertJobs(2);
    store = temp.reopen();
    store.jobs.insert(job('j3'));
    expect(ids(store.jobs.listByStatus('queued'))).toEqual(['j1', 'j2', 'j3']);
  });
});

describe('JobRepository.listFinishedBy (eviction)', () => {
  it('returns the jobs finished at the cutoff or before, oldest first, and never an unfinished one', () => {
    insertJobs(5);
    const finishAt = (id: string, finishedAt: string | null, status: JobStatus) =>
      store.jobs.update(id, { status, finishedAt });
    finishAt('j1', '2025-01-02T10:00:00.000Z', 'succeeded');
    finishAt('j2', '2025-01-02T12:00:00.000Z', 'failed');
    finishAt('j3', '2025-01-02T09:00:00.000+01:00', 'interrupted'); // given up on, 08:00 UTC
    finishAt('j4', null, 'interrupted'); // to run again
    // j5 stays queued.
    expect(ids(store.jobs.listFinishedBy('2025-01-02T10:00:00.000Z'))).toEqual(['j1', 'j3']);
    expect(ids(store.jobs.listFinishedBy('2025-01-02T11:00:00+01:00'))).toEqual(['j1', 'j3']);
    expect(ids(store.jobs.listFinishedBy('2025-01-03T00:00:00.000Z'))).toEqual(['j1', 'j2', 'j3']);
    expect(store.jobs.listFinishedBy('2025-01-02T07:59:59.999Z')).toEqual([]);
  });

  it('rejects a cutoff that is not a time with InvalidArgumentError', () => {
    expect(catchError(() => store.jobs.listFinishedBy('yesterday'))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('JobRepository.delete', () => {
  it('deletes one job and says whether it existed', () => {
    insertJobs(2);
    expect(store.jobs.delete('j1')).toBe(true);
    expect(store.jobs.delete('j1')).toBe(false);
    expect(ids(store.jobs.list().items)).toEqual(['j2']);
  });
});

describe('JobRepository.queuePosition', () => {
  it('counts higher priorities first, then FIFO, among queued jobs only', () => {
    const add = (id: string, priority: number) =>
      store.jobs.insert({ id, agent: 'a', prompt: 'p', spec: {}, priority });
    const first = add('p0-first', 0);
    const high = add('p5', 5);
    const second = add('p0-second', 0);
    add('started', 9);
    store.jobs.update('started', { status: 'running' });
    expect(store.jobs.queuePosition(high)).toBe(1);
    expect(store.jobs.queuePosition(first)).toBe(2);
    expect(store.jobs.queuePosition(second)).toBe(3);
  });
});
