import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks } from '../../test/helpers/fake-time.js';
import { MAX_TIMER_MS, runWithTimeout, sleep, stopwatch, withTimeout } from './deadline.js';
import { InvalidArgumentError, TimeoutError } from './errors.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Where a promise is, without waiting for it. */
function track(promise: Promise<unknown>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const seen: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  promise.then(
    () => (seen.state = 'resolved'),
    (error: unknown) => Object.assign(seen, { state: 'rejected', error }),
  );
  return seen;
}

describe('sleep', () => {
  it('resolves once its time has passed, and not before', async () => {
    const slept = track(sleep(1_000));
    await vi.advanceTimersByTimeAsync(999);
    expect(slept.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(slept.state).toBe('resolved');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the signal’s reason when it aborts, leaving no timer or listener', async () => {
    const controller = new AbortController();
    const slept = track(sleep(1_000, controller.signal));
    await vi.advanceTimersByTimeAsync(10);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('stop');
    controller.abort(reason);
    await flushMicrotasks();
    expect(slept).toEqual({ state: 'rejected', error: reason });
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes its listener when it resolves', async () => {
    const controller = new AbortController();
    const slept = track(sleep(5, controller.signal));
    await vi.advanceTimersByTimeAsync(5);
    expect(slept.state).toBe('resolved');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once, starting no timer, when the signal has already aborted', async () => {
    const reason = new Error('already');
    const slept = track(sleep(1_000, AbortSignal.abort(reason)));
    await flushMicrotasks();
    expect(slept).toEqual({ state: 'rejected', error: reason });
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([-1, Number.NaN, MAX_TIMER_MS + 1])('refuses a delay a timer cannot wait: %d', async (ms) => {
    await expect(sleep(ms)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('withTimeout', () => {
  const timedOut = () => new TimeoutError('too slow', 1_000);

  it('aborts with the given reason once the time is up', async () => {
    const parent = new AbortController();
    const deadline = withTimeout(parent.signal, 1_000, timedOut);
    await vi.advanceTimersByTimeAsync(999);
    expect(deadline.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(TimeoutError);
    expect(parent.signal.aborted).toBe(false);
    deadline.dispose();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('follows its parent, with the parent’s reason', () => {
    const parent = new AbortController();
    const reason = new Error('cancelled');
    const deadline = withTimeout(parent.signal, 1_000, timedOut);
    parent.abort(reason);
    expect(deadline.signal.reason).toBe(reason);
    deadline.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is aborted at once when its parent already is', () => {
    const reason = new Error('before');
    const deadline = withTimeout(AbortSignal.abort(reason), 1_000, timedOut);
    expect(deadline.signal.reason).toBe(reason);
    deadline.dispose();
  });

  it('clears its timer and its listener on dispose, so nothing fires later', async () => {
    const parent = new AbortController();
    const reason = vi.fn(timedOut);
    const deadline = withTimeout(parent.signal, 1_000, reason);
    expect(vi.getTimerCount()).toBe(1);
    deadline.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(deadline.signal.aborted).toBe(false);
    expect(reason).not.toHaveBeenCalled();
  });

  it.each([undefined, 0, MAX_TIMER_MS + 1])(
    'with no limit (%s ms) is the parent itself, with no timer',
    (timeoutMs) => {
      const parent = new AbortController();
      const deadline = withTimeout(parent.signal, timeoutMs, timedOut);
      expect(deadline.signal).toBe(parent.signal);
      expect(vi.getTimerCount()).toBe(0);
      deadline.dispose();
    },
  );
});

describe('runWithTimeout', () => {
  it('rejects when the time is up with the error the task’s signal aborts with, ignoring what the task does later', async () => {
    let seen: AbortSignal | undefined;
    let finish!: (value: string) => void;
    const run = track(
      runWithTimeout(
        (signal) => {
          seen = signal;
          return new Promise<string>((resolve) => (finish = resolve));
        },
        new AbortController().signal,
        1_000,
        () => new TimeoutError('too slow', 1_000),
      ),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(run.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(run.state).toBe('rejected');
    expect(run.error).toBeInstanceOf(TimeoutError);
    expect(seen!.reason).toBe(run.error);
    finish('late');
    await flushMicrotasks();
    expect(run.state).toBe('rejected');
  });

  it('settles like the task in time, leaving no timer or listener', async () => {
    const parent = new AbortController();
    const timedOut = () => new TimeoutError('too slow', 1_000);
    await expect(runWithTimeout(() => 'done', parent.signal, 1_000, timedOut)).resolves.toBe('done');
    // A task that takes no signal is given the parent: nothing can tell it.
    await expect(
      runWithTimeout((...args: AbortSignal[]) => args[0], parent.signal, 1_000, timedOut),
    ).resolves.toBe(parent.signal);
    const broken = new Error('broken');
    await expect(
      runWithTimeout(
        () => {
          throw broken;
        },
        parent.signal,
        1_000,
        timedOut,
      ),
    ).rejects.toBe(broken);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });
});

describe('stopwatch', () => {
  it('gives the milliseconds since it was made, on the monotonic clock', () => {
    vi.useRealTimers();
    vi.useFakeTimers({ toFake: ['performance', 'Date'] });
    const elapsed = stopwatch();
    expect(elapsed()).toBe(0);
    vi.advanceTimersByTime(250);
    expect(elapsed()).toBe(250);
    // A wall-clock jump does not move it.
    vi.setSystemTime(Date.now() - 3_600_000);
    expect(elapsed()).toBe(250);
  });
});
