import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks } from '../../test/helpers/fake-time.js';
import { NEVER_ABORTED } from '../core/index.js';
import { HostPacer } from './politeness.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** When each of `turns` resolved, in fake milliseconds from now, after `ms` of fake time. */
async function timesOf(turns: readonly Promise<void>[], ms: number): Promise<(number | undefined)[]> {
  const start = performance.now();
  const times: (number | undefined)[] = turns.map(() => undefined);
  turns.forEach((turn, index) => void turn.then(() => (times[index] = performance.now() - start)));
  await flushMicrotasks();
  for (let elapsed = 0; elapsed < ms; elapsed += 10) {
    await vi.advanceTimersByTimeAsync(10);
  }
  return times;
}

describe('HostPacer within a shared pacer', () => {
  it('spaces a host across the crawls that share it, each also at its own rate', async () => {
    const shared = new HostPacer(10); // 100 ms between navigations to a host, whoever asks
    const fast = new HostPacer(0, { within: shared });
    const slow = new HostPacer(2, { within: shared }); // its own 500 ms
    const acquire = (pacer: HostPacer, host = 'a.test') => pacer.acquire(host, NEVER_ABORTED);
    const times = await timesOf(
      [acquire(fast), acquire(slow), acquire(fast), acquire(slow), acquire(fast, 'b.test')],
      1_000,
    );
    // a.test: one turn every 100 ms across both crawls (in the order they reach the shared pacer); the
    // slow crawl's second turn waits its own 500 ms; b.test is another host.
    expect(times.slice(0, 3).sort((a, b) => a! - b!)).toEqual([0, 100, 200]);
    expect(times.slice(3)).toEqual([500, 0]);
  });

  it('passes Crawl-delay and Retry-After on, so they hold back every crawl sharing it', async () => {
    const shared = new HostPacer(0);
    const one = new HostPacer(0, { within: shared });
    const other = new HostPacer(0, { within: shared });
    one.crawlDelay('a.test', 0.3);
    // The same delay read again by another crawl keeps the spacing so far.
    other.crawlDelay('a.test', 0.3);
    const first = await timesOf(
      [one.acquire('a.test', NEVER_ABORTED), other.acquire('a.test', NEVER_ABORTED)],
      400,
    );
    expect(first).toEqual([0, 300]);

    const backoff = one.backoff('b.test', 1_000, NEVER_ABORTED); // nothing spaces b.test: it waits itself
    const held = one.backoff('a.test', 1_000, NEVER_ABORTED); // a.test is spaced: pushed back, no wait
    const times = await timesOf([backoff, held, other.acquire('a.test', NEVER_ABORTED)], 1_500);
    expect(times[0]).toBe(1_000);
    expect(times[1]).toBe(0);
    expect(times[2]).toBeGreaterThanOrEqual(1_000);
  });
});
