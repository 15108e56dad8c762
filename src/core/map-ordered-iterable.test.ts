import { describe, expect, it } from 'vitest';
import { flush } from '../../test/helpers/deferred.js';
import { CancelledError, HaltedError, InvalidArgumentError } from './errors.js';
import { mapOrderedIterable } from './map-ordered-iterable.js';
import { mapSkip } from './map-ordered.js';
import { failingPages, gated } from './fixtures/item-sources.fixture.js';

/** An endless generator that counts what was read from it and whether it was closed. */
function naturals() {
  const state = { reads: 0, closed: false };
  function* generate() {
    try {
      for (let i = 0; ; i++) {
        state.reads++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, items: generate() };
}

function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('mapOrderedIterable', () => {
  it('yields each result in item order once it and every one before it are ready', async () => {
    const { gates, started, fn } = gated(4);
    const stream = mapOrderedIterable([0, 1, 2, 3], fn, { concurrency: 4 });
    await flush();
    expect(started).toEqual([]);
    const first = track(stream.next());
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.resolve('two');
    gates[1]!.resolve('one');
    await flush();
    expect(first.settled).toBe(false);
    gates[0]!.resolve('zero');
    await flush();
    expect(first.value).toEqual({ done: false, value: 'zero' });
    expect(await stream.next()).toEqual({ done: false, value: 'one' });
    expect(await stream.next()).toEqual({ done: false, value: 'two' });
    gates[3]!.resolve('three');
    expect(await stream.next()).toEqual({ done: false, value: 'three' });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('reads no further than `backpressure` items ahead of a consumer that stops reading', async () => {
    const { state, items } = naturals();
    const stream = mapOrderedIterable(items, (item) => item * 10, { concurrency: 2, backpressure: 3 });
    expect(await stream.next()).toEqual({ done: false, value: 0 });
    await flush();
    // One taken, three started and not taken (two finished): the window is full.
    expect(state.reads).toBe(4);
    expect(await stream.next()).toEqual({ done: false, value: 10 });
    await flush();
    expect(state.reads).toBe(5);
    await stream.return();
    expect(state.closed).toBe(true);
  });

  it('ends at a failure: earlier results first, later items aborted and waited for, then the reason', async () => {
    const { gates, started, signals, fn } = gated(6);
    const { state, items } = naturals();
    const stream = mapOrderedIterable(items, fn, { concurrency: 3 });
    const first = track(stream.next());
    await flush();
    expect(started).toEqual([0, 1, 2]);
    const broke = new Error('item 1 broke');
    gates[1]!.reject(broke);
    await flush();
    expect(signals[2]!.reason).toBeInstanceOf(HaltedError);
    expect(signals[0]!.aborted).toBe(false);
    gates[0]!.resolve('zero');
    await flush();
    expect(first.value).toEqual({ done: false, value: 'zero' });
    const failed = track(stream.next());
    await flush();
    expect(failed.settled).toBe(false);
    gates[2]!.reject(signals[2]!.reason);
    await flush();
    expect(failed.error).toBe(broke);
    expect(started).toEqual([0, 1, 2]);
    expect(state).toEqual({ reads: 3, closed: true });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('a break aborts the items in flight with CancelledError, closes the source and waits for them', async () => {
    const { gates, signals, fn } = gated(4);
    const { state, items } = naturals();
    const stream = mapOrderedIterable(items, fn, { concurrency: 2 });
    const consumed: string[] = [];
    const loop = track(
      (async () => {
        for await (const value of stream) {
          consumed.push(value);
          break;
        }
      })(),
    );
    await flush();
    gates[0]!.resolve('zero');
    await flush();
    expect(consumed).toEqual(['zero']);
    expect(signals[1]!.reason).toBeInstanceOf(CancelledError);
    expect(signals[2]!.reason).toBeInstanceOf(CancelledError);
    expect(state.closed).toBe(true);
    expect(loop.settled).toBe(false);
    gates[1]!.reject(signals[1]!.reason);
    gates[2]!.resolve('late');
    await flush();
    expect(loop).toEqual({ settled: true, value: undefined });
  });

  it('yields what an async source gave before it failed, then rejects with its error', async () => {
    const broken = new Error('page 2 failed');
    const rows = () => failingPages(broken);
    const seen: string[] = [];
    const outcome = (async () => {
      for await (const row of mapOrderedIterable(rows(), (row) => row.toUpperCase(), { concurrency: 2 })) {
        seen.push(row);
      }
    })();
    await expect(outcome).rejects.toBe(broken);
    expect(seen).toEqual(['A', 'B']);
  });

  it('leaves out mapSkip results and keeps the order of the rest', async () => {
    const values: number[] = [];
    const stream = mapOrderedIterable(
      new Set([1, 2, 3, 4, 5, 6]),
      (item) => Promise.resolve(item % 3 === 0 ? mapSkip : item),
      { concurrency: 2 },
    );
    for await (const value of stream) values.push(value);
    expect(values).toEqual([1, 2, 4, 5]);
  });

  it('an aborted signal aborts the items in flight, and next() rejects with its reason once they settle', async () => {
    const { gates, signals, fn } = gated(3);
    const controller = new AbortController();
    const stream = mapOrderedIterable([0, 1, 2], fn, { concurrency: 2, signal: controller.signal });
    const pending = track(stream.next());
    await flush();
    const reason = new Error('stop');
    controller.abort(reason);
    expect(signals.map((signal): unknown => signal.reason)).toEqual([reason, reason]);
    gates[0]!.resolve('zero');
    await flush();
    expect(pending.settled).toBe(false);
    gates[1]!.reject(reason);
    await flush();
    expect(pending.error).toBe(reason);
    const early = mapOrderedIterable([1], () => 1, { concurrency: 1, signal: AbortSignal.abort('early') });
    await expect(early.next()).rejects.toBe('early');
  });

  it('refuses bad arguments at once with InvalidArgumentError', () => {
    expect(() => mapOrderedIterable(7 as unknown as number[], () => 1, { concurrency: 1 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => mapOrderedIterable([], null as unknown as () => 1, { concurrency: 1 })).toThrow(
      'Expected `fn` to be a function, got null (null)',
    );
    expect(() => mapOrderedIterable([], () => 1, { concurrency: 4, backpressure: 2 })).toThrow(
      'Expected `backpressure` to be an integer ≥ 4 or Infinity, got 2 (number)',
    );
  });
});
