import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deferred, flush } from '../../test/helpers/deferred.js';
import { flushMicrotasks } from '../../test/helpers/fake-time.js';
import { CancelledError, InvalidArgumentError, TimeoutError } from './errors.js';
import { Limiter } from './limiter.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Limiter pause and start', () => {
  it('pause starts nothing new while running tasks go on; start fills the free slots', async () => {
    const limiter = new Limiter({ concurrency: 2 });
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const results = gates.map((gate, i) =>
      limiter.run(() => {
        started.push(i);
        return gate.promise;
      }),
    );
    limiter.pause();
    expect(limiter.isPaused).toBe(true);
    gates[0]!.resolve();
    gates[1]!.resolve();
    await flush();
    expect(started).toEqual([0, 1]);
    expect(limiter.stats).toMatchObject({ active: 0, queued: 2 });
    expect(limiter.start()).toBe(limiter);
    expect(limiter.isPaused).toBe(false);
    expect(started).toEqual([0, 1, 2, 3]);
    for (const gate of gates) gate.resolve();
    await Promise.all(results);
  });

  it('with `paused: true` queues every task until start, even with free slots', async () => {
    const limiter = new Limiter({ concurrency: 5, paused: true });
    let ran = false;
    const result = limiter.run(() => (ran = true));
    await flush();
    expect(ran).toBe(false);
    expect(limiter.stats.queued).toBe(1);
    limiter.start();
    await expect(result).resolves.toBe(true);
  });
});

describe('Limiter clear', () => {
  it('rejects every waiting task with a CancelledError and lets the running ones finish', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const gate = deferred<string>();
    const running = limiter.run(() => gate.promise);
    const controller = new AbortController();
    const waiting = [limiter.run(() => 'a', { signal: controller.signal }), limiter.run(() => 'b')];
    expect(limiter.clear()).toBe(2);
    for (const result of waiting) {
      await expect(result).rejects.toBeInstanceOf(CancelledError);
      await expect(result).rejects.toMatchObject({ code: 'E_CANCELLED' });
    }
    expect(limiter.stats.queued).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    gate.resolve('kept');
    await expect(running).resolves.toBe('kept');
    expect(limiter.clear()).toBe(0);
  });

  it('rejects with the reason it is given', async () => {
    const limiter = new Limiter({ concurrency: 1, paused: true });
    const result = limiter.run(() => 1);
    const reason = new Error('shutting down');
    limiter.clear(reason);
    await expect(result).rejects.toBe(reason);
  });
});

describe('Limiter timeouts', () => {
  it('rejects a task that runs too long with TimeoutError, aborts its signal and gives its slot to the next', async () => {
    vi.useFakeTimers();
    const limiter = new Limiter({ concurrency: 1, timeoutMs: 1_000 });
    const errors: unknown[] = [];
    const completed: unknown[] = [];
    limiter.on('error', (error) => errors.push(error)).on('completed', (value) => completed.push(value));
    let seen: AbortSignal | undefined;
    const finish = deferred<string>();
    const slow = limiter.run((signal) => {
      seen = signal;
      return finish.promise;
    });
    const outcome = slow.catch((error: unknown) => error);
    let nextStarted = false;
    const next = limiter.run(() => (nextStarted = true), { timeoutMs: Infinity });
    await vi.advanceTimersByTimeAsync(999);
    expect(seen!.aborted).toBe(false);
    expect(nextStarted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'E_TIMEOUT', timeoutMs: 1_000 });
    expect(seen!.reason).toBe(error);
    await expect(next).resolves.toBe(true);
    expect(errors).toEqual([error]);
    // What the timed-out task does later is ignored.
    finish.resolve('late');
    await flushMicrotasks();
    expect(completed).toEqual([true]);
    expect(limiter.stats.active).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts the clock when the task starts, takes a per-call limit over the default, and follows the caller’s signal', async () => {
    vi.useFakeTimers();
    const limiter = new Limiter({ concurrency: 1 });
    const gate = deferred();
    void limiter.run(() => gate.promise);
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const limited = limiter
      .run(
        (signal) => {
          seen = signal;
          return new Promise(() => undefined);
        },
        { timeoutMs: 500, signal: controller.signal },
      )
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen).toBeUndefined();
    gate.resolve();
    await flushMicrotasks();
    expect(seen!.aborted).toBe(false);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(seen!.reason).toBe(reason);
    await vi.advanceTimersByTimeAsync(500);
    expect(await limited).toBeInstanceOf(TimeoutError);
  });
});

describe('Limiter runAll', () => {
  it('runs every task under the bound and resolves with their values in order', async () => {
    const limiter = new Limiter({ concurrency: 2 });
    const gates = [deferred<string>(), deferred<string>(), deferred<string>()];
    const all = limiter.runAll(gates.map((gate) => () => gate.promise));
    expect(limiter.stats).toMatchObject({ active: 2, queued: 1 });
    gates[2]!.resolve('c');
    gates[1]!.resolve('b');
    gates[0]!.resolve('a');
    await expect(all).resolves.toEqual(['a', 'b', 'c']);
    await expect(limiter.runAll(5 as unknown as [])).rejects.toThrow(
      'Expected `tasks` to be an iterable of tasks, got 5 (number)',
    );
  });
});

describe('Limiter argument checks', () => {
  it('refuses bad options at construction, naming the option, the value and its type', () => {
    expect(() => new Limiter(undefined as unknown as { concurrency: number })).toThrow(
      'Expected `options` to be an object, got undefined (undefined)',
    );
    expect(() => new Limiter({ concurrency: 1, timeoutMs: 0 })).toThrow(
      'Expected `timeoutMs` to be a number of milliseconds > 0 (Infinity for none), got 0 (number)',
    );
    expect(() => new Limiter({ concurrency: 1, paused: 'yes' as unknown as boolean })).toThrow(
      'Expected `paused` to be a boolean, got "yes" (string)',
    );
    expect(() => new Limiter({ concurrency: 1, maxQueue: 1.5 })).toThrow(InvalidArgumentError);
  });

  it('rejects a run with a bad task or option, running nothing', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    await expect(limiter.run('go' as unknown as () => 1)).rejects.toThrow(
      'Expected `task` to be a function, got "go" (string)',
    );
    await expect(limiter.run(() => 1, { group: 3 as unknown as string })).rejects.toThrow(
      'Expected `group` to be a string, got 3 (number)',
    );
    await expect(limiter.run(() => 1, { timeoutMs: -5 })).rejects.toThrow('`timeoutMs`');
    await expect(limiter.run(() => 1, { signal: 'stop' as unknown as AbortSignal })).rejects.toThrow(
      'Expected `signal` to be an AbortSignal, got "stop" (string)',
    );
    expect(limiter.stats.peak).toBe(0);
  });
});
