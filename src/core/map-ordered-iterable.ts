import { Deque } from './deque.js';
import { CancelledError, HaltedError } from './errors.js';
import { assertItems, DONE, ItemSource, type Items } from './item-source.js';
import { mapSkip, type Mapper, type MapSkip, type Settled } from './map-ordered.js';
import { NEVER_ABORTED } from './signals.js';
import { assertCount, assertFunction, assertObject, assertOptionalSignal } from './validate.js';

/** Options of `mapOrderedIterable`. */
export interface MapOrderedIterableOptions {
  /** How many items may be in flight at once: an integer ≥ 1, or `Infinity`. */
  readonly concurrency: number;
  /**
   * How many items may be started and not yet taken by the consumer (in flight, or finished and
   * waiting to be yielded in order): an integer ≥ `concurrency`, or `Infinity`. A consumer that stops
   * reading stops the run there, and no more items are read.
   * @default concurrency
   */
  readonly backpressure?: number;
  /** Aborting it aborts every item in flight, starts nothing more, and `next()` rejects with its reason. */
  readonly signal?: AbortSignal;
}

/** What `mapOrderedIterable` returns: a one-pass async iterator whose `return()` is always there. */
export interface MapOrderedStream<R> extends AsyncIterableIterator<R, undefined> {
  next(): Promise<IteratorResult<R, undefined>>;
  /** Stops the stream (what `break` in `for await` calls); resolves once every item started has settled. */
  return(): Promise<IteratorResult<R, undefined>>;
  [Symbol.asyncIterator](): MapOrderedStream<R>;
}

interface Waiter<R> {
  readonly resolve: (result: IteratorResult<R, undefined>) => void;
  readonly reject: (reason: unknown) => void;
}

const SKIPPED = { status: 'fulfilled', value: mapSkip } as const;
const END: IteratorResult<never, undefined> = { done: true, value: undefined };

/**
 * `mapOrdered` as a stream: maps `items` through `fn` in a sliding window of `concurrency` and yields
 * each result in item order as soon as it and every result before it are ready; `mapSkip` results are
 * left out. Nothing starts before the first `next()`; then items are read only while fewer than
 * `backpressure` are started and not yet yielded.
 *
 * A failure ends the stream at its place: nothing more starts, the items after it are aborted with a
 * `HaltedError`, the results before it are still yielded, and then `next()` rejects with its reason. A
 * failing source (its iterator throws or rejects) ends the stream the same way, after the items read
 * before it. Stopping early (`break` in `for await`, which calls `return()`) aborts the items in flight
 * with a `CancelledError` and closes the source. Either way the stream ends only once every item it
 * started has settled.
 *
 * Throws `InvalidArgumentError` at once when `items` is not iterable, `fn` not a function, or an option
 * not what it must be.
 */
export function mapOrderedIterable<T, R>(
  items: Items<T>,
  fn: Mapper<T, R>,
  options: MapOrderedIterableOptions,
): MapOrderedStream<Exclude<R, MapSkip>> {
  assertItems('items', items);
  assertFunction('fn', fn);
  assertObject('options', options);
  const concurrency = assertCount('concurrency', options.concurrency, 1, true);
  const backpressure = assertCount('backpressure', options.backpressure ?? concurrency, concurrency, true);
  assertOptionalSignal('signal', options.signal);
  return new OrderedIterator(items, fn, concurrency, backpressure, options.signal);
}

class OrderedIterator<T, R> implements MapOrderedStream<Exclude<R, MapSkip>> {
  readonly #items: Items<T>;
  readonly #fn: Mapper<T, R>;
  readonly #concurrency: number;
  readonly #backpressure: number;
  readonly #signal: AbortSignal | undefined;
  #source: ItemSource<T> | undefined;
  /** The index the next item started gets. */
  #next = 0;
  /** The index of the next result to yield. */
  #head = 0;
  #inFlight = 0;
  /** Results settled and not yet yielded, by index. */
  readonly #ready = new Map<number, Settled<R> | typeof SKIPPED>();
  readonly #controllers: Map<number, AbortController> | undefined;
  #reading = false;
  #exhausted = false;
  /** Where the stream ends with `#stopReason`: the earliest failing item, or the read that failed. */
  #stopAt = Infinity;
  #stopReason: unknown;
  /** The outer signal's abort: the stream rejects with it once nothing is in flight. */
  #aborted: { readonly reason: unknown } | undefined;
  /** Ended (told the consumer) or returned: nothing more starts or is yielded. */
  #done = false;
  readonly #waiters = new Deque<Waiter<Exclude<R, MapSkip>>>();
  #idleWaiters: (() => void)[] = [];

  constructor(
    items: Items<T>,
    fn: Mapper<T, R>,
    concurrency: number,
    backpressure: number,
    signal: AbortSignal | undefined,
  ) {
    this.#items = items;
    this.#fn = fn;
    this.#concurrency = concurrency;
    this.#backpressure = backpressure;
    this.#signal = signal;
    this.#controllers = fn.length >= 3 ? new Map() : undefined;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Exclude<R, MapSkip>, undefined>> {
    if (this.#done) return Promise.resolve(END);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      if (this.#source === undefined && !this.#open()) return;
      this.#pump();
    });
  }

  return(): Promise<IteratorResult<Exclude<R, MapSkip>, undefined>> {
    if (!this.#done) {
      this.#end();
      const reason = new CancelledError('The consumer of mapOrderedIterable stopped reading');
      if (this.#controllers !== undefined)
        for (const controller of this.#controllers.values()) controller.abort(reason);
      for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
        waiter.resolve(END);
      }
    }
    if (this.#inFlight === 0) return Promise.resolve(END);
    return new Promise((resolve) => this.#idleWaiters.push(() => resolve(END)));
  }

  /** Opens the source at the first `next()`; false when that already ended the stream. */
  #open(): boolean {
    const signal = this.#signal;
    try {
      if (signal?.aborted === true) throw signal.reason;
      this.#source = new ItemSource(this.#items);
    } catch (error) {
      this.#end();
      this.#waiters.shift()!.reject(error);
      return false;
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    return true;
  }

  readonly #onAbort = (): void => {
    const reason = this.#signal!.reason as unknown;
    this.#aborted = { reason };
    if (this.#controllers !== undefined)
      for (const controller of this.#controllers.values()) controller.abort(reason);
    this.#pump();
  };

  #end(): void {
    this.#done = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#source?.close();
  }

  #pump(): void {
    do this.#launch();
    while (this.#deliver());
  }

  #launch(): void {
    const source = this.#source!;
    while (
      !this.#done &&
      this.#aborted === undefined &&
      !this.#exhausted &&
      !this.#reading &&
      this.#next < this.#stopAt &&
      this.#inFlight < this.#concurrency &&
      this.#next - this.#head < this.#backpressure
    ) {
      if (source.isAsync) {
        this.#readAsync(source);
        return;
      }
      let item: T | typeof DONE;
      try {
        item = source.nextSync();
      } catch (error) {
        this.#stop(this.#next, error);
        return;
      }
      if (item === DONE) {
        this.#exhausted = true;
        return;
      }
      this.#start(item);
    }
  }

  #readAsync(source: ItemSource<T>): void {
    this.#reading = true;
    source.nextAsync().then(
      (item) => {
        this.#reading = false;
        if (item === DONE) this.#exhausted = true;
        else if (!this.#done && this.#aborted === undefined && this.#next < this.#stopAt) this.#start(item);
        this.#pump();
      },
      (error: unknown) => {
        this.#reading = false;
        this.#stop(this.#next, error);
        this.#pump();
      },
    );
  }

  #start(item: T): void {
    const index = this.#next++;
    let signal = NEVER_ABORTED;
    if (this.#controllers !== undefined) {
      const controller = new AbortController();
      this.#controllers.set(index, controller);
      signal = controller.signal;
    }
    this.#inFlight++;
    let promise: PromiseLike<R | MapSkip>;
    try {
      promise = Promise.resolve(this.#fn(item, index, signal));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => this.#settle(index, value === mapSkip ? SKIPPED : { status: 'fulfilled', value }),
      (reason: unknown) => {
        this.#stop(index, reason);
        this.#settle(index, { status: 'rejected', reason });
      },
    );
  }

  #settle(index: number, result: Settled<R> | typeof SKIPPED): void {
    this.#inFlight--;
    this.#controllers?.delete(index);
    if (!this.#done) this.#ready.set(index, result);
    if (this.#inFlight === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
    this.#pump();
  }

  /** Ends the stream at `index` (a failed item or read) unless it already ends earlier. */
  #stop(index: number, reason: unknown): void {
    if (index >= this.#stopAt) return;
    this.#stopAt = index;
    this.#stopReason = reason;
    if (this.#controllers === undefined) return;
    const halted = new HaltedError(index);
    for (const [i, controller] of this.#controllers) if (i > index) controller.abort(halted);
  }

  /** Gives waiting consumers what is ready; true when a result was taken (the window moved). */
  #deliver(): boolean {
    let moved = false;
    for (let waiter = this.#waiters.peek(); waiter !== undefined; waiter = this.#waiters.peek()) {
      const head = this.#head;
      const result = head < this.#stopAt && this.#aborted === undefined ? this.#ready.get(head) : undefined;
      if (result !== undefined) {
        this.#ready.delete(head);
        this.#head++;
        moved = true;
        if (result === SKIPPED) continue;
        this.#waiters.shift();
        waiter.resolve({ done: false, value: (result as { value: Exclude<R, MapSkip> }).value });
        continue;
      }
      const ended =
        this.#aborted !== undefined || head === this.#stopAt || (this.#exhausted && head === this.#next);
      if (!ended || this.#inFlight !== 0) break;
      this.#end();
      this.#ready.clear();
      this.#waiters.shift();
      if (this.#aborted !== undefined) waiter.reject(this.#aborted.reason);
      else if (head === this.#stopAt) waiter.reject(this.#stopReason);
      else waiter.resolve(END);
      for (let rest = this.#waiters.shift(); rest !== undefined; rest = this.#waiters.shift())
        rest.resolve(END);
      return false;
    }
    return moved;
  }
}
