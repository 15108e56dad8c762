import { describe, expect, it } from 'vitest';
import { deferred, flush, type Deferred } from '../../test/helpers/deferred.js';
import { HaltedError, InvalidArgumentError } from './errors.js';
import { mapOrdered, mapSkip, type MapOrderedResult } from './map-ordered.js';
import { failingPages, gated } from './fixtures/item-sources.fixture.js';

function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T } = { settled: false };
  void promise.then((value) => Object.assign(state, { settled: true, value }));
  return state;
}

const fail = (gate: Deferred<string>, message: string) => gate.reject(new Error(message));

describe('mapOrdered', () => {
  it('returns results in item order when items finish in reverse', async () => {
    const { gates, fn, items } = gated(5);
    const call = mapOrdered(items, fn, { concurrency: 5 });
    await flush();
    for (let i = 4; i >= 0; i--) {
      gates[i]!.resolve(`v${i}`);
      await flush();
    }
    const { results, halted } = await call;
    expect(halted).toBe(false);
    expect(results).toEqual([0, 1, 2, 3, 4].map((i) => ({ status: 'fulfilled', value: `v${i}` })));
  });

  it('keeps a sliding window: the next item starts as soon as any one finishes', async () => {
    const { gates, started, fn, items } = gated(6);
    const call = mapOrdered(items, fn, { concurrency: 3 });
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[2]!.resolve('x');
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[3]!.resolve('x');
    await flush();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    for (const gate of gates) gate.resolve('x');
    expect((await call).results).toHaveLength(6);
  });

  it('halts on a failure: nothing new starts, later items are aborted, earlier ones finish, the prefix is returned', async () => {
    const { gates, started, signals, fn, items } = gated(10);
    const call = track(mapOrdered(items, fn, { concurrency: 3 }));
    await flush();
    fail(gates[1]!, 'item 1 broke');
    await flush();
    expect(started).toEqual([0, 1, 2]);
    expect(signals[2]!.aborted).toBe(true);
    expect(signals[2]!.reason).toBeInstanceOf(HaltedError);
    expect(signals[0]!.aborted).toBe(false);

    // The call waits for every started item, aborted ones included.
    gates[0]!.resolve('zero');
    await flush();
    expect(call.settled).toBe(false);
    gates[2]!.reject(signals[2]!.reason);
    await flush();
    expect(call.settled).toBe(true);

    const result = call.value as MapOrderedResult<string>;
    expect(result.halted).toBe(true);
    expect(result.haltIndex).toBe(1);
    expect(result.results).toHaveLength(2);
    expect(result.results[0]).toEqual({ status: 'fulfilled', value: 'zero' });
    expect(result.results[1]).toMatchObject({ status: 'rejected', reason: { message: 'item 1 broke' } });
    expect(started).toEqual([0, 1, 2]);
  });

  it('moves the halt point to an earlier item that fails while finishing', async () => {
    const { gates, signals, fn, items } = gated(4);
    const call = mapOrdered(items, fn, { concurrency: 4 });
    await flush();
    fail(gates[2]!, 'two');
    await flush();
    expect(signals[1]!.aborted).toBe(false);
    fail(gates[0]!, 'zero');
    await flush();
    expect(signals[1]!.aborted).toBe(true);
    gates[1]!.resolve('one');
    gates[3]!.resolve('three');
    const result = await call;
    expect(result).toMatchObject({ halted: true, haltIndex: 0 });
    expect(result.results).toHaveLength(1);
    expect(result.results[0]).toMatchObject({ status: 'rejected', reason: { message: 'zero' } });
  });

  it('gives every item its result with stopOnError: false', async () => {
    const { gates, started, fn, items } = gated(5);
    const call = mapOrdered(items, fn, { concurrency: 2, stopOnError: false });
    await flush();
    fail(gates[0]!, 'zero');
    await flush();
    expect(started).toEqual([0, 1, 2]);
    for (const [i, gate] of gates.entries()) if (i !== 0) gate.resolve(`v${i}`);
    const result = await call;
    expect(result.halted).toBe(false);
    expect(result.results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
  });

  it('an aborted signal aborts the items in flight, starts nothing more and rejects with the reason', async () => {
    const { gates, started, signals, fn, items } = gated(6);
    const controller = new AbortController();
    const call = mapOrdered(items, fn, { concurrency: 2, signal: controller.signal });
    const outcome = call.catch((reason: unknown) => reason);
    await flush();
    const reason = new Error('stop');
    controller.abort(reason);
    expect(signals[0]!.reason).toBe(reason);
    expect(signals[1]!.reason).toBe(reason);
    gates[0]!.resolve('late');
    gates[1]!.reject(reason);
    expect(await outcome).toBe(reason);
    expect(started).toEqual([0, 1]);
  });

  it('rejects at once on a signal aborted before the call, running nothing', async () => {
    let ran = false;
    const fn = () => {
      ran = true;
    };
    await expect(mapOrdered([1], fn, { concurrency: 1, signal: AbortSignal.abort('early') })).rejects.toBe(
      'early',
    );
    expect(ran).toBe(false);
  });

  it('handles empty input, iterables, synchronous values and synchronous throws', async () => {
    expect(await mapOrdered([], () => 1, { concurrency: 1 })).toEqual({ results: [], halted: false });
    const set = new Set(['a', 'b']);
    const result = await mapOrdered(
      set,
      (item) => {
        if (item === 'b') throw new Error('sync b');
        return item.toUpperCase();
      },
      { concurrency: 1, stopOnError: false },
    );
    expect(result.results[0]).toEqual({ status: 'fulfilled', value: 'A' });
    expect(result.results[1]).toMatchObject({ status: 'rejected', reason: { message: 'sync b' } });
  });

  it('never has more than `concurrency` items in flight over a long run', async () => {
    let inFlight = 0;
    let peak = 0;
    const result = await mapOrdered(
      Array.from({ length: 500 }, (_, i) => i),
      async (item) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        for (let i = 0; i < item % 7; i++) await Promise.resolve();
        inFlight--;
        return item * 2;
      },
      { concurrency: 7 },
    );
    expect(peak).toBe(7);
    expect(result.results.map((r) => (r.status === 'fulfilled' ? r.value : -1))).toEqual(
      Array.from({ length: 500 }, (_, i) => i * 2),
    );
  });

  it('validates concurrency', async () => {
    await expect(mapOrdered([1], () => 1, { concurrency: 0 })).rejects.toThrow('`concurrency`');
  });

  it('rejects what it cannot read or call with InvalidArgumentError, never taking it as no items', async () => {
    const mapped = mapOrdered(123456 as unknown as number[], () => 1, { concurrency: 1 });
    await expect(mapped).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(mapped).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(mapped).rejects.toThrow(
      'Expected `items` to be an iterable or an async iterable, got 123456 (number)',
    );
    await expect(
      mapOrdered({ length: 2 } as unknown as number[], () => 1, { concurrency: 1 }),
    ).rejects.toThrow('got [object Object] (object)');
    await expect(mapOrdered(null as unknown as number[], () => 1, { concurrency: 1 })).rejects.toThrow(
      'got null (null)',
    );
    await expect(mapOrdered([], 'upper' as unknown as () => 1, { concurrency: 1 })).rejects.toThrow(
      'Expected `fn` to be a function, got "upper" (string)',
    );
    await expect(mapOrdered([], () => 1, undefined as unknown as { concurrency: number })).rejects.toThrow(
      'Expected `options` to be an object, got undefined (undefined)',
    );
    await expect(
      mapOrdered([], () => 1, { concurrency: 1, stopOnError: 'no' as unknown as boolean }),
    ).rejects.toThrow('Expected `stopOnError` to be a boolean, got "no" (string)');
    await expect(mapOrdered([], () => 1, { concurrency: 1, signal: {} as AbortSignal })).rejects.toThrow(
      'Expected `signal` to be an AbortSignal',
    );
  });

  it('reads items only as slots free up, so an endless generator halted at item 2 is read no further', async () => {
    let pulls = 0;
    let closed = false;
    function* naturals() {
      try {
        for (let i = 0; ; i++) {
          pulls++;
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    const gates = Array.from({ length: 10 }, () => deferred<number>());
    const call = mapOrdered(naturals(), (item) => gates[item]!.promise, { concurrency: 3 });
    await flush();
    expect(pulls).toBe(3);
    gates[0]!.resolve(0);
    await flush();
    expect(pulls).toBe(4);
    gates[2]!.reject(new Error('item 2 broke'));
    gates[1]!.resolve(1);
    gates[3]!.resolve(3);
    const result = await call;
    expect(result).toMatchObject({ halted: true, haltIndex: 2 });
    expect(result.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(pulls).toBe(4);
    expect(closed).toBe(true);
  });

  it('reads an async iterable one next() at a time, within the window, results in item order', async () => {
    const pages = [deferred<number[]>(), deferred<number[]>()];
    let reads = 0;
    async function* rows() {
      for (const page of pages) {
        for (const row of await page.promise) {
          reads++;
          yield row;
        }
      }
    }
    const { gates, started, fn } = gated(6);
    const call = mapOrdered(rows(), (row, index, signal) => fn(row, index, signal), { concurrency: 2 });
    pages[0]!.resolve([0, 1, 2]);
    await flush();
    expect(started).toEqual([0, 1]);
    expect(reads).toBe(2);
    gates[1]!.resolve('v1');
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[2]!.resolve('v2');
    await flush();
    // The next row waits for the second page.
    expect(started).toEqual([0, 1, 2]);
    pages[1]!.resolve([3]);
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[3]!.resolve('v3');
    gates[0]!.resolve('v0');
    const { results, halted } = await call;
    expect(halted).toBe(false);
    expect(results).toEqual([0, 1, 2, 3].map((i) => ({ status: 'fulfilled', value: `v${i}` })));
  });

  it('rejects, never throws, when the source throws: the items in flight are aborted and waited for', async () => {
    const broken = new Error('cursor lost');
    let reads = 0;
    const source: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: () => {
          if (reads === 2) throw broken;
          return { value: reads++, done: false };
        },
      }),
    };
    const { gates, started, signals, fn } = gated(3);
    let call: Promise<unknown> | undefined;
    expect(() => (call = mapOrdered(source, fn, { concurrency: 5 }))).not.toThrow();
    const outcome = track(call!.catch((error: unknown) => error));
    await flush();
    expect(started).toEqual([0, 1]);
    expect(signals.map((signal): unknown => signal.reason)).toEqual([broken, broken]);
    gates[0]!.resolve('late');
    await flush();
    expect(outcome.settled).toBe(false);
    gates[1]!.reject(broken);
    await flush();
    expect(outcome.value).toBe(broken);

    const unopenable = {
      [Symbol.iterator]: () => {
        throw broken;
      },
    } as Iterable<number>;
    await expect(mapOrdered(unopenable, () => 1, { concurrency: 1 })).rejects.toBe(broken);
  });

  it('rejects when an async source rejects, after the items before it', async () => {
    const broken = new Error('page 2 failed');
    const rows = () => failingPages(broken);
    const seen: string[] = [];
    await expect(
      mapOrdered(rows(), (row) => void seen.push(row), { concurrency: 1, stopOnError: false }),
    ).rejects.toBe(broken);
    expect(seen).toEqual(['a', 'b']);
  });

  it('leaves out the items whose mapper returns mapSkip, keeping the order of the rest', async () => {
    const { gates, fn, items } = gated(5);
    const call = mapOrdered(
      items,
      (item, index, signal) => (item % 2 === 1 ? mapSkip : fn(item, index, signal)),
      {
        concurrency: 5,
      },
    );
    await flush();
    gates[4]!.resolve('four');
    gates[0]!.resolve('zero');
    gates[2]!.resolve('two');
    const { results } = await call;
    expect(results).toEqual(['zero', 'two', 'four'].map((value) => ({ status: 'fulfilled', value })));
    const halted = await mapOrdered(
      [0, 1, 2, 3],
      (item) => (item === 0 ? mapSkip : item === 2 ? Promise.reject(new Error('two')) : item),
      { concurrency: 1 },
    );
    expect(halted).toMatchObject({ halted: true, haltIndex: 2 });
    expect(halted.results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });
});
