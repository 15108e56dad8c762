import { InvalidArgumentError, QueueFullError } from './errors.js';
import { PriorityQueue, type QueueEntry } from './priority-queue.js';
import { NEVER_ABORTED } from './signals.js';
import { assertCount } from './validate.js';

/** Options of a `Limiter`. */
export interface LimiterOptions {
  /** How many tasks may run at once: an integer ≥ 1, or `Infinity`. */
  readonly concurrency: number;
  /**
   * How many tasks may wait; `run` rejects with `QueueFullError` beyond it. `0` means nothing waits.
   * @default Infinity
   */
  readonly maxQueue?: number;
}

/** Options of one `Limiter.run` call. */
export interface RunOptions {
  /** Aborting it takes a waiting task out of the queue; a running task sees it as its own signal. */
  readonly signal?: AbortSignal;
  /**
   * Higher runs first; FIFO among equal priorities.
   * @default 0
   */
  readonly priority?: number;
}

/** A task receives the signal of its `run` call (a signal that never aborts when none was given). */
export type Task<T> = (signal: AbortSignal) => PromiseLike<T> | T;

/** A snapshot of a `Limiter`'s counters. */
export interface LimiterStats {
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly queued: number;
  /** The most tasks that ever ran at once. */
  readonly peak: number;
  /** The concurrency: how many may run at once. */
  readonly capacity: number;
  /** How many may wait. */
  readonly maxQueue: number;
}

interface Waiting extends QueueEntry {
  readonly task: Task<unknown>;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  onAbort: (() => void) | undefined;
}

/**
 * Runs async tasks with at most `concurrency` at once — exactly that many whenever work waits — in
 * priority order, FIFO among equals, with an optional bound on how many may wait.
 *
 * State changes happen synchronously in `#pump`; a finishing task releases its slot and pumps again.
 */
export class Limiter {
  #concurrency: number;
  #maxQueue: number;
  #active = 0;
  #peak = 0;
  readonly #queue = new PriorityQueue<Waiting>();
  #idleWaiters: (() => void)[] = [];

  constructor(options: LimiterOptions) {
    this.#concurrency = assertCount('concurrency', options.concurrency, 1, true);
    this.#maxQueue = assertCount('maxQueue', options.maxQueue ?? Infinity, 0, true);
  }

  get stats(): LimiterStats {
    return {
      active: this.#active,
      queued: this.#queue.size,
      peak: this.#peak,
      capacity: this.#concurrency,
      maxQueue: this.#maxQueue,
    };
  }

  /**
   * Runs `task` when a slot is free and settles like it. Rejects with `QueueFullError` at once when
   * `maxQueue` tasks already wait, and with `signal.reason` when the signal aborts while the task waits.
   */
  run<T>(task: Task<T>, options?: RunOptions): Promise<T> {
    const signal = options?.signal;
    const priority = options?.priority ?? 0;
    if (!Number.isFinite(priority)) {
      const got = `${String(priority)} (${typeof priority})`;
      return Promise.reject(
        new InvalidArgumentError(`Expected \`priority\` to be a finite number, got ${got}`),
      );
    }
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.#active < this.#concurrency && this.#queue.size === 0) return this.#start(task, signal);
    if (this.#queue.size >= this.#maxQueue) {
      return Promise.reject(new QueueFullError(this.#queue.size, this.#maxQueue));
    }
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = {
        task,
        signal,
        priority,
        resolve: resolve as (value: unknown) => void,
        reject,
        onAbort: undefined,
      };
      if (signal !== undefined) {
        entry.onAbort = () => {
          this.#queue.remove(entry);
          reject(signal.reason);
          this.#notifyIfIdle();
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#queue.push(entry);
    });
  }

  /**
   * Changes the concurrency at once: growing starts waiting tasks now, shrinking lets running tasks
   * finish and starts no new one until fewer than `concurrency` run.
   */
  resize(concurrency: number): void {
    this.#concurrency = assertCount('concurrency', concurrency, 1, true);
    this.#pump();
  }

  /** Changes how many tasks may wait. Tasks already waiting stay, even beyond a smaller bound. */
  setMaxQueue(maxQueue: number): void {
    this.#maxQueue = assertCount('maxQueue', maxQueue, 0, true);
  }

  /** Resolves once nothing runs and nothing waits (at once if that is so now). */
  onIdle(): Promise<void> {
    if (this.#active === 0 && this.#queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #start<T>(task: Task<T>, signal: AbortSignal | undefined): Promise<T> {
    this.#active++;
    if (this.#active > this.#peak) this.#peak = this.#active;
    let promise: Promise<T>;
    try {
      promise = Promise.resolve(task(signal ?? NEVER_ABORTED));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(this.#release, this.#release);
    return promise;
  }

  readonly #release = (): void => {
    this.#active--;
    this.#pump();
  };

  #pump(): void {
    while (this.#active < this.#concurrency) {
      const entry = this.#queue.shift();
      if (entry === undefined) break;
      if (entry.onAbort !== undefined) entry.signal!.removeEventListener('abort', entry.onAbort);
      this.#start(entry.task, entry.signal).then(entry.resolve, entry.reject);
    }
    this.#notifyIfIdle();
  }

  #notifyIfIdle(): void {
    if (this.#active !== 0 || this.#queue.size !== 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
