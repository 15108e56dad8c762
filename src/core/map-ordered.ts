import { HaltedError } from './errors.js';
import { NEVER_ABORTED } from './signals.js';
import { assertCount } from './validate.js';

/** The result of one item, as `Promise.allSettled` gives it. */
export type Settled<R> =
  | { readonly status: 'fulfilled'; readonly value: R }
  | { readonly status: 'rejected'; readonly reason: unknown };

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
  /** One result per item in item order; when halted, the prefix up to and including `haltIndex`. */
  readonly results: Settled<R>[];
  /** Whether a failure stopped the run (only with `stopOnError`). */
  readonly halted: boolean;
  /** The earliest failing item when halted. */
  readonly haltIndex?: number;
}

/**
 * Maps `items` through `fn` in a sliding window of `concurrency`: the next item starts as soon as one
 * finishes, results come back in item order, never completion order.
 *
 * The call settles only once every item it started has settled, so no work outlives it: an item
 * whose signal was aborted (after a halt, or by `options.signal`) must still end for the call to end.
 *
 * Each item gets its own `AbortSignal` when `fn` declares the third parameter (`fn.length >= 3`);
 * otherwise it gets a shared signal that never aborts, since a function that does not take the
 * signal cannot use it, and on Node 20 creating a signal costs more than scheduling the item.
 */
export function mapOrdered<T, R>(
  items: Iterable<T>,
  fn: (item: T, index: number, signal: AbortSignal) => PromiseLike<R> | R,
  options: MapOrderedOptions,
): Promise<MapOrderedResult<R>> {
  let concurrency: number;
  try {
    concurrency = assertCount('concurrency', options.concurrency, 1, true);
  } catch (error) {
    return Promise.reject(error);
  }
  const stopOnError = options.stopOnError ?? true;
  const { signal } = options;
  if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
  const list: readonly T[] = Array.isArray(items) ? items : Array.from(items);
  const total = list.length;
  const wantsSignal = fn.length >= 3;

  return new Promise((resolve, reject) => {
    const results = new Array<Settled<R>>(total);
    const controllers = new Array<AbortController | undefined>(total);
    let next = 0;
    let inFlight = 0;
    let haltIndex = -1;
    let aborted = false;

    const onOuterAbort = (): void => {
      aborted = true;
      for (let i = 0; i < next; i++) controllers[i]?.abort(signal!.reason);
      if (inFlight === 0) finish();
    };
    signal?.addEventListener('abort', onOuterAbort, { once: true });

    const finish = (): void => {
      signal?.removeEventListener('abort', onOuterAbort);
      if (aborted) {
        reject(signal!.reason as Error);
      } else if (haltIndex >= 0) {
        results.length = haltIndex + 1;
        resolve({ results, halted: true, haltIndex });
      } else {
        resolve({ results, halted: false });
      }
    };

    const settle = (index: number, result: Settled<R>): void => {
      inFlight--;
      controllers[index] = undefined;
      results[index] = result;
      if (result.status === 'rejected' && stopOnError && (haltIndex < 0 || index < haltIndex)) {
        haltIndex = index;
        // Items after the halt point are cut off from the results: tell those still running to stop.
        const reason = new HaltedError(index);
        for (let i = index + 1; i < next; i++) controllers[i]?.abort(reason);
      }
      launch();
    };

    const launch = (): void => {
      while (inFlight < concurrency && next < total && haltIndex < 0 && !aborted) {
        const index = next++;
        let itemSignal = NEVER_ABORTED;
        if (wantsSignal) {
          const controller = new AbortController();
          controllers[index] = controller;
          itemSignal = controller.signal;
        }
        inFlight++;
        let promise: PromiseLike<R>;
        try {
          promise = Promise.resolve(fn(list[index] as T, index, itemSignal));
        } catch (error) {
          promise = Promise.reject(error);
        }
        promise.then(
          (value) => settle(index, { status: 'fulfilled', value }),
          (reason: unknown) => settle(index, { status: 'rejected', reason }),
        );
      }
      if (inFlight === 0) finish();
    };

    launch();
  });
}
