import { HaltedError } from './errors.js';
import { assertItems, DONE, ItemSource, type Items } from './item-source.js';
import { NEVER_ABORTED } from './signals.js';
import {
  assertCount,
  assertFunction,
  assertObject,
  assertOptionalBoolean,
  assertOptionalSignal,
} from './validate.js';

/** The result of one item, as `Promise.allSettled` gives it. */
export type Settled<R> =
  | { readonly status: 'fulfilled'; readonly value: R }
  | { readonly status: 'rejected'; readonly reason: unknown };

/**
 * What a mapper returns (or resolves to) to leave its item out of the results: `mapOrdered`'s
 * `results` and what `mapOrderedIterable` yields skip it, and the other results keep their order.
 */
export const mapSkip: unique symbol = Symbol('mapSkip');

/** The type of `mapSkip`. */
export type MapSkip = typeof mapSkip;

/** The mapper of `mapOrdered` and `mapOrderedIterable`: a result, or `mapSkip` to leave the item out. */
export type Mapper<T, R> = (
  item: T,
  index: number,
  signal: AbortSignal,
) => PromiseLike<R | MapSkip> | R | MapSkip;

/** Options of `mapOrdered`. */
export interface MapOrderedOptions {
  /** How many items may be in flight at once: an integer ≥ 1, or `Infinity`. */
  readonly concurrency: number;
  /**
   * When an item fails, start nothing more, abort the items after it, let the items before it finish,
   * and return the prefix up to and including the earliest failure — what a sequential run gives.
   * @default true
   */
  readonly stopOnError?: boolean;
  /** Aborting it aborts every item in flight, starts nothing more and rejects with its reason. */
  readonly signal?: AbortSignal;
}

/** What `mapOrdered` resolves to. */
export interface MapOrderedResult<R> {
  /**
   * One result per item in item order, without the items whose mapper returned `mapSkip`; when halted,
   * only the results of the items up to and including the one at `haltIndex`, which is the last.
   */
  readonly results: Settled<R>[];
  /** Whether a failure stopped the run (only with `stopOnError`). */
  readonly halted: boolean;
  /** The index among the items (skipped ones counted) of the earliest failing item, when halted. */
  readonly haltIndex?: number;
}

const SKIPPED = { status: 'fulfilled', value: mapSkip } as const;

/**
 * Maps `items` through `fn` in a sliding window of `concurrency`: the next item starts as soon as one
 * finishes, results come back in item order, never completion order.
 *
 * Items are read only as slots free up, so a run that halts early reads no further than the window,
 * and an endless generator is fine. An async iterable (a database cursor, a paginated API) is read one
 * `next()` at a time. When reading fails (the iterator throws or rejects), nothing more starts, the
 * items in flight are aborted with that error, and the call rejects with it once they have settled.
 * An iterator left before its end (a halt, an abort) is closed with `return()`, as `for…of` does.
 *
 * The call settles only once every item it started has settled, so no work outlives it: an item
 * whose signal was aborted (after a halt, or by `options.signal`) must still end for the call to end.
 *
 * Each item gets its own `AbortSignal` when `fn` declares the third parameter (`fn.length >= 3`);
 * otherwise it gets a shared signal that never aborts, since a function that does not take the
 * signal cannot use it, and on Node 20 creating a signal costs more than scheduling the item.
 *
 * Rejects with `InvalidArgumentError` when `items` is not iterable, `fn` not a function, or an option
 * not what it must be.
 */
export function mapOrdered<T, R>(
  items: Items<T>,
  fn: Mapper<T, R>,
  options: MapOrderedOptions,
): Promise<MapOrderedResult<Exclude<R, MapSkip>>> {
  let concurrency: number;
  let source: ItemSource<T>;
  const signal = (options as MapOrderedOptions | undefined)?.signal;
  try {
    assertItems('items', items);
    assertFunction('fn', fn);
    assertObject('options', options);
    concurrency = assertCount('concurrency', options.concurrency, 1, true);
    assertOptionalBoolean('stopOnError', options.stopOnError);
    assertOptionalSignal('signal', signal);
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    source = new ItemSource(items);
  } catch (error) {
    return Promise.reject(error);
  }
  const stopOnError = options.stopOnError ?? true;
  const wantsSignal = fn.length >= 3;

  return new Promise((resolve, reject) => {
    const results: (Settled<R> | typeof SKIPPED)[] = [];
    // Only the items in flight: an endless source must not grow it.
    const controllers = wantsSignal ? new Map<number, AbortController>() : undefined;
    let next = 0;
    let inFlight = 0;
    let skipped = 0;
    let haltIndex = -1;
    /** Why the call rejects: the outer signal's reason or the source's error, whichever came first. */
    let failure: { readonly reason: unknown } | undefined;
    /** Whether to start nothing more: halted or failed. */
    let stopped = false;
    let exhausted = false;
    /** An async read is under way; reads of an async source go one at a time, in item order. */
    let reading = false;
    let finished = false;

    const fail = (reason: unknown): void => {
      failure ??= { reason };
      stopped = true;
      if (controllers !== undefined) for (const controller of controllers.values()) controller.abort(reason);
    };

    const onOuterAbort = (): void => {
      fail(signal!.reason);
      finishIfDone();
    };
    signal?.addEventListener('abort', onOuterAbort, { once: true });

    const finishIfDone = (): void => {
      // A read under way when the run stopped is not waited for: a source may never answer it.
      if (finished || inFlight !== 0 || !(stopped || (exhausted && !reading))) return;
      finished = true;
      signal?.removeEventListener('abort', onOuterAbort);
      source.close();
      if (failure !== undefined) {
        reject(failure.reason);
        return;
      }
      let kept = results;
      if (haltIndex >= 0) kept.length = haltIndex + 1;
      if (skipped > 0) kept = kept.filter((result) => result !== SKIPPED);
      const typed = kept as Settled<Exclude<R, MapSkip>>[];
      resolve(
        haltIndex >= 0 ? { results: typed, halted: true, haltIndex } : { results: typed, halted: false },
      );
    };

    const settle = (index: number, result: Settled<R> | typeof SKIPPED): void => {
      inFlight--;
      controllers?.delete(index);
      results[index] = result;
      if (result.status === 'rejected' && stopOnError && (haltIndex < 0 || index < haltIndex)) {
        haltIndex = index;
        stopped = true;
        // Items after the halt point are cut off from the results: tell those still running to stop.
        if (controllers !== undefined) {
          const reason = new HaltedError(index);
          for (const [i, controller] of controllers) if (i > index) controller.abort(reason);
        }
      }
      launch();
    };

    const start = (item: T): void => {
      const index = next++;
      let itemSignal = NEVER_ABORTED;
      if (controllers !== undefined) {
        const controller = new AbortController();
        controllers.set(index, controller);
        itemSignal = controller.signal;
      }
      inFlight++;
      let promise: PromiseLike<R | MapSkip>;
      try {
        promise = Promise.resolve(fn(item, index, itemSignal));
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise.then(
        (value) => {
          if (value !== mapSkip) {
            settle(index, { status: 'fulfilled', value });
            return;
          }
          skipped++;
          settle(index, SKIPPED);
        },
        (reason: unknown) => settle(index, { status: 'rejected', reason }),
      );
    };

    const readAsync = (): void => {
      reading = true;
      source.nextAsync().then(
        (item) => {
          reading = false;
          if (finished) return;
          if (item === DONE) exhausted = true;
          else if (!stopped) start(item);
          launch();
        },
        (error: unknown) => {
          reading = false;
          if (finished) return;
          fail(error);
          finishIfDone();
        },
      );
    };

    const launch = (): void => {
      while (inFlight < concurrency && !stopped && !exhausted && !reading) {
        if (source.isAsync) {
          readAsync();
          break;
        }
        let item: T | typeof DONE;
        try {
          item = source.nextSync();
        } catch (error) {
          fail(error);
          break;
        }
        if (item === DONE) {
          exhausted = true;
          break;
        }
        start(item);
      }
      finishIfDone();
    };

    launch();
  });
}
