import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/index.js';
import type { FlotillaEvent, SequencedEvent } from '../events/index.js';
import type { Store } from './store.js';
import { useTempStore } from './temp-store.fixture.js';

const temp = useTempStore('events');
let store: Store;
beforeEach(() => {
  store = temp.current();
});

const AT = '2025-01-02T03:00:00.000Z';
const log = (jobId: string, line: string): FlotillaEvent => ({
  type: 'job.log',
  jobId,
  stream: 'stdout',
  line,
  at: AT,
});
const lines = (events: readonly SequencedEvent[]): string[] =>
  events.map((e) => ('line' in e ? e.line : e.type));

describe('EventRepository.append', () => {
  it('returns the event with an increasing sequence number', () => {
    const a = store.events.append(log('j1', 'one'));
    const b = store.events.append({ type: 'run.status', runId: 'r1', status: 'running', at: AT });
    expect(a).toEqual({ ...log('j1', 'one'), seq: 1 });
    expect(b.seq).toBe(2);
  });

  it('stores every field of every event type, read back as written', () => {
    const events: FlotillaEvent[] = [
      { type: 'job.status', jobId: 'j1', status: 'failed', at: AT, error: 'exit 1' },
      { type: 'job.result', jobId: 'j1', status: 'failed', exitCode: 1, signal: null, durationMs: 5, at: AT },
      { type: 'item.status', runId: 'r1', itemId: 'a', status: 'running', attempt: 2, at: AT },
      { type: 'item.log', runId: 'r1', itemId: 'a', stream: 'stderr', line: 'ünïcode ✓', at: AT },
    ];
    const stored = events.map((event) => store.events.append(event));
    expect([...store.events.list('j1'), ...store.events.list('r1')]).toEqual(stored);
  });
});

describe('EventRepository.list (replay)', () => {
  beforeEach(() => {
    for (let i = 1; i <= 5; i++) {
      store.events.append(log('j1', `a${i}`));
      store.events.append(log('j2', `b${i}`));
    }
  });

  it('lists one subject in sequence order', () => {
    expect(lines(store.events.list('j1'))).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(store.events.list('nobody')).toEqual([]);
  });

  it('replays what came after a Last-Event-ID, a page at a time', () => {
    const all = store.events.list('j1');
    const after = store.events.list('j1', { afterSeq: all[1]!.seq });
    expect(lines(after)).toEqual(['a3', 'a4', 'a5']);
    const page = store.events.list('j1', { afterSeq: all[1]!.seq, limit: 2 });
    expect(lines(page)).toEqual(['a3', 'a4']);
    expect(lines(store.events.list('j1', { afterSeq: page.at(-1)!.seq, limit: Infinity }))).toEqual(['a5']);
    expect(store.events.list('j1', { afterSeq: all[4]!.seq })).toEqual([]);
  });

  it('rejects a bad afterSeq or limit', () => {
    expect(() => store.events.list('j1', { afterSeq: -1 })).toThrow(InvalidArgumentError);
    expect(() => store.events.list('j1', { limit: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('EventRepository.appendMany', () => {
  it('appends in one transaction, in order, with consecutive numbers', () => {
    const stored = store.events.appendMany([log('j1', 'x'), log('j1', 'y'), log('j1', 'z')]);
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(store.events.list('j1')).toEqual(stored);
    expect(store.events.appendMany([])).toEqual([]);
  });

  it('writes none when one fails', () => {
    const bad = { ...log('j1', 'bad'), extra: 10n } as unknown as FlotillaEvent;
    expect(() => store.events.appendMany([log('j1', 'x'), bad, log('j1', 'z')])).toThrow(TypeError);
    expect(store.events.list('j1')).toEqual([]);
  });
});

describe('EventRepository.deleteForSubject', () => {
  it('deletes one subject’s events, and never reuses their numbers', () => {
    store.events.append(log('j1', 'keep'));
    store.events.append(log('j2', 'x'));
    store.events.append(log('j2', 'y'));
    expect(store.events.deleteForSubject('j2')).toBe(2);
    expect(store.events.deleteForSubject('j2')).toBe(0);
    expect(lines(store.events.list('j1'))).toEqual(['keep']);
    // The deleted numbers were the highest; a new event still gets a higher one (SSE ids stay unique).
    expect(store.events.append(log('j3', 'new')).seq).toBe(4);
  });

  it('keeps events across a reopen', () => {
    store.events.append(log('j1', 'x'));
    store = temp.reopen();
    expect(lines(store.events.list('j1'))).toEqual(['x']);
    expect(store.events.append(log('j1', 'y')).seq).toBe(2);
  });
});
