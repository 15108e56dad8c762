import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks } from '../../test/helpers/fake-time.js';
import { KeyedRateLimiter } from './rate-limiter.js';

describe('KeyedRateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const limiter = (ratePerSecond: number) => new KeyedRateLimiter({ ratePerSecond, now: () => Date.now() });

  /** Acquires and records the fake time at which each acquire resolved. */
  function acquireAll(rl: KeyedRateLimiter, keys: string[]) {
    const times: (number | undefined)[] = keys.map(() => undefined);
    const start = Date.now();
    keys.forEach((key, i) => void rl.acquire(key).then(() => (times[i] = Date.now() - start)));
    return times;
  }

  it('spaces starts on one key by 1/ratePerSecond, in arrival order', async () => {
    const times = acquireAll(limiter(2), ['a', 'a', 'a', 'a']);
    await flushMicrotasks();
    expect(times).toEqual([0, undefined, undefined, undefined]);
    await vi.advanceTimersByTimeAsync(499);
    expect(times[1]).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toEqual([0, 500, undefined, undefined]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(times).toEqual([0, 500, 1000, 1500]);
  });

  it('keeps keys independent', async () => {
    const times = acquireAll(limiter(1), ['a', 'b', 'a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(times).toEqual([0, 0, 1000, 1000, 0]);
  });

  it('backoff pushes a key back and later starts keep their spacing after it', async () => {
    const rl = limiter(10);
    await rl.acquire('host');
    rl.backoff('host', 3000);
    expect(rl.delayMs('host')).toBe(3000);
    const times = acquireAll(rl, ['host', 'host', 'other']);
    await vi.advanceTimersByTimeAsync(2999);
    expect(times).toEqual([undefined, undefined, 0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toEqual([3000, undefined, 0]);
    await vi.advanceTimersByTimeAsync(100);
    expect(times).toEqual([3000, 3100, 0]);
  });

  it('with ratePerSecond 0 never delays, except for a backoff', async () => {
    const rl = limiter(0);
    const times = acquireAll(rl, ['a', 'a', 'a']);
    await flushMicrotasks();
    expect(times).toEqual([0, 0, 0]);
    rl.backoff('a', 250);
    const later = acquireAll(rl, ['a', 'a']);
    await vi.advanceTimersByTimeAsync(250);
    expect(later).toEqual([250, 250]);
  });

  it('an aborted waiter leaves the line and the next one takes its slot', async () => {
    const rl = limiter(1);
    await rl.acquire('a');
    const controller = new AbortController();
    const aborted = rl.acquire('a', controller.signal);
    const next = rl.acquire('a').then(() => Date.now());
    const start = Date.now();
    controller.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    await vi.advanceTimersByTimeAsync(1000);
    expect((await next) - start).toBe(1000);
  });

  it('validates its options', () => {
    expect(() => new KeyedRateLimiter({ ratePerSecond: -1 })).toThrow('`ratePerSecond`');
    expect(() => limiter(1).backoff('a', Number.NaN)).toThrow('`ms`');
  });
});
