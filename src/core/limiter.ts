import { AsyncResource } from 'node:async_hooks';
import { MAX_TIMER_MS, runWithTimeout } from './deadline.js';
import { CancelledError, InvalidArgumentError, QueueFullError, TimeoutError } from './errors.js';
import {
  assertLimiterOptions,
  assertRunOptions,
  LIMITER_EVENTS,
  type LimiterEvents,
  type LimiterOptions,
  type LimiterStats,
  type RunOptions,
  type Task,
} from './limiter-options.js';
import { Groups, hasRoom, type Group } from './limiter-groups.js';
import { PriorityQueue, type QueueEntry } from './priority-queue.js';
import { NEVER_ABORTED } from './signals.js';
import { Emitter, type Listener } from './typed-emitter.js';
import { assertCount, assertFunction, describeValue } from './validate.js';

interface Waiting extends QueueEntry {
  readonly task: Task<unknown>;
  readonly group: Group | undefined;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  /** The caller's async context (its `AsyncLocalStorage` stores), which the task runs in. */
  readonly context: AsyncResource;
  onAbort: (() => void) | undefined;
}

/**
 * Runs async tasks with at most `concurrency` at once — exactly that many whenever work waits — in
 * priority order, FIFO among equals, with an optional bound on how many may wait.
 *
 * Tasks may belong to a group with its own, smaller limit (`setGroupLimit`): a provider that allows
 * four calls at once under a global bound of ten. Then "exactly `concurrency`" holds only while some
 * waiting task's group has room.
 *
 * It can be paused (`pause`, `start`), emptied (`clear`) and watched (`on`, `onIdle`, `onEmpty`,
 * `onSizeLessThan`); a task may have a time limit (`timeoutMs`).
 *
 * A queued task runs in the async context of its `run` call (its `AsyncLocalStorage` stores), as a task
 * started at once does, never in that of the task that freed its slot.
 *
 * State changes happen synchronously in `#pump`; a finishing task releases its slot and pumps again.
 */
export class Limiter {
  #concurrency: number;
  #maxQueue: number;
  /** The default time limit of a task; `undefined` for none. */
  readonly #timeoutMs: number | undefined;
  #paused: boolean;
  #active = 0;
  #peak = 0;
  /** Whether a task was taken since the last `idle`, which is emitted once per stretch of work. */
  #busy = false;
  readonly #queue = new PriorityQueue<Waiting>();
  readonly #groups = new Groups();
  readonly #events = new Emitter<LimiterEvents>(LIMITER_EVENTS);

  /** Throws `InvalidArgumentError` naming the option when one is not what it must be. */
  constructor(options: LimiterOptions) {
    assertLimiterOptions(options);
    this.#concurrency = options.concurrency;
    this.#maxQueue = options.maxQueue ?? Infinity;
    this.#timeoutMs = timeLimit(options.timeoutMs);
    this.#paused = options.paused ?? false;
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

  /** Whether `pause` holds waiting tasks back. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /**
   * Runs `task` when a slot is free and settles like it. Rejects with `QueueFullError` at once when
   * `maxQueue` tasks already wait, with `signal.reason` when the signal aborts while the task waits,
   * with `TimeoutError` when it runs longer than its `timeoutMs`, with the reason given to `clear`
   * when the queue is cleared while it waits, and with `InvalidArgumentError` for a bad argument.
   */
  run<T>(task: Task<T>, options?: RunOptions): Promise<T> {
    let signal: AbortSignal | undefined;
    let priority = 0;
    let timeoutMs = this.#timeoutMs;
    try {
      assertFunction('task', task);
      if (options !== undefined) {
        assertRunOptions(options);
        signal = options.signal;
        priority = options.priority ?? 0;
        if (options.timeoutMs !== undefined) timeoutMs = timeLimit(options.timeoutMs);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const group = options?.group === undefined ? undefined : this.#groups.get(options.group);
    if (!this.#paused && this.#active < this.#concurrency && this.#queue.size === 0 && hasRoom(group)) {
      this.#accepted();
      return this.#start(task, signal, group, timeoutMs);
    }
    if (this.#queue.size >= this.#maxQueue) {
      return Promise.reject(new QueueFullError(this.#queue.size, this.#maxQueue));
    }
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = {
        task,
        group,
        signal,
        timeoutMs,
        priority,
        resolve: resolve as (value: unknown) => void,
        reject,
        // A queued task starts from whichever task freed its slot and would run in that task's context.
        // `AsyncResource.bind` and `AsyncLocalStorage.snapshot()` would do too, at 100 times the cost.
        context: new AsyncResource('flotilla.Limiter'),
        onAbort: undefined,
      };
      if (signal !== undefined) {
        entry.onAbort = () => {
          this.#queue.remove(entry);
          reject(signal.reason);
          this.#left(1);
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#queue.push(entry);
      this.#accepted();
      // A free slot with tasks waiting means every waiting task's group was full; this one may fit.
      if (this.#active < this.#concurrency) this.#pump();
    });
  }

  /**
   * Runs every task of `tasks` with the same options and resolves with their values in order, or rejects
   * with the first rejection (the other tasks still run: abort them through `options.signal`).
   */
  runAll<T>(tasks: Iterable<Task<T>>, options?: RunOptions): Promise<T[]> {
    const iterable = tasks as Partial<Iterable<Task<T>>> | null | undefined;
    if (typeof iterable?.[Symbol.iterator] !== 'function') {
      const message = `Expected \`tasks\` to be an iterable of tasks, got ${describeValue(tasks)}`;
      return Promise.reject(new InvalidArgumentError(message));
    }
    return Promise.all(Array.from(tasks, (task) => this.run(task, options)));
  }

  /**
   * Whether `run` would take a task now — start it or queue it — rather than refuse it with
   * `QueueFullError`. Lets a caller refuse before it records anything.
   */
  accepts(options?: { readonly group?: string }): boolean {
    if (this.#queue.size < this.#maxQueue) return true;
    const group = options?.group === undefined ? undefined : this.#groups.find(options.group);
    return !this.#paused && this.#active < this.#concurrency && this.#queue.size === 0 && hasRoom(group);
  }

  /**
   * Changes the concurrency at once: growing starts waiting tasks now, shrinking lets running tasks
   * finish and starts no new one until fewer than `concurrency` run.
   */
  resize(concurrency: number): void {
    this.#concurrency = assertCount('concurrency', concurrency, 1, true);
    this.#pump();
  }

  /**
   * Lets at most `limit` tasks of `group` run at once, under the global concurrency (`Infinity` lifts
   * the limit). Applies at once, like `resize`.
   */
  setGroupLimit(group: string, limit: number): void {
    this.#groups.setLimit(group, limit);
    this.#pump();
  }

  /** How many tasks of `group` run now, and its limit. */
  groupStats(group: string): { readonly active: number; readonly limit: number } {
    const state = this.#groups.find(group);
    return { active: state?.active ?? 0, limit: state?.limit ?? Infinity };
  }

  /** Changes how many tasks may wait. Tasks already waiting stay, even beyond a smaller bound. */
  setMaxQueue(maxQueue: number): void {
    this.#maxQueue = assertCount('maxQueue', maxQueue, 0, true);
  }

  /** Starts no more tasks until `start`; running tasks go on, new ones queue (up to `maxQueue`). */
  pause(): void {
    this.#paused = true;
  }

  /** Starts waiting tasks again after `pause` (or the `paused` option). */
  start(): this {
    if (this.#paused) {
      this.#paused = false;
      this.#pump();
    }
    return this;
  }

  /**
   * Takes every waiting task out of the queue and rejects each with `reason` — by default a
   * `CancelledError` (`E_CANCELLED`). Running tasks go on. Returns how many tasks were taken out.
   */
  clear(
    reason: unknown = new CancelledError('Cleared from the queue of a Limiter before it started'),
  ): number {
    const entries = this.#queue.clear();
    for (const entry of entries) {
      if (entry.onAbort !== undefined) entry.signal!.removeEventListener('abort', entry.onAbort);
      entry.reject(reason);
    }
    this.#left(entries.length);
    return entries.length;
  }

  /** Resolves once nothing runs and nothing waits (at once if that is so now). */
  onIdle(): Promise<void> {
    return this.#when(['idle'], () => this.#active === 0 && this.#queue.size === 0);
  }

  /** Resolves once nothing waits (at once if that is so now); tasks may still run. */
  onEmpty(): Promise<void> {
    return this.#when(['empty'], () => this.#queue.size === 0);
  }

  /**
   * Resolves once fewer than `limit` tasks wait (at once if that is so now): `await` it before `run` to
   * keep a producer from queueing faster than the tasks run. Rejects with `InvalidArgumentError` unless
   * `limit` is an integer ≥ 1.
   */
  onSizeLessThan(limit: number): Promise<void> {
    try {
      assertCount('limit', limit, 1);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#when(['active', 'next'], () => this.#queue.size < limit);
  }

  /** Calls `listener` on each `event` (see `LimiterEvents`) until `off`. */
  on<K extends keyof LimiterEvents>(event: K, listener: Listener<LimiterEvents, K>): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Calls `listener` on the next `event` only. */
  once<K extends keyof LimiterEvents>(event: K, listener: Listener<LimiterEvents, K>): this {
    this.#events.on(event, listener, true);
    return this;
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof LimiterEvents>(event: K, listener: Listener<LimiterEvents, K>): this {
    this.#events.off(event, listener);
    return this;
  }

  #when(events: readonly (keyof LimiterEvents)[], done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done()) return;
        for (const event of events) this.#events.off(event, check);
        resolve();
      };
      for (const event of events) this.#events.on(event, check);
    });
  }

  #accepted(): void {
    this.#busy = true;
    if (this.#events.listening) this.#events.emit('add');
  }

  #start<T>(
    task: Task<T>,
    signal: AbortSignal | undefined,
    group: Group | undefined,
    timeoutMs: number | undefined,
  ): Promise<T> {
    this.#active++;
    if (this.#active > this.#peak) this.#peak = this.#active;
    if (group !== undefined) group.active++;
    let promise: Promise<T>;
    if (timeoutMs === undefined) {
      try {
        promise = Promise.resolve(task(signal ?? NEVER_ABORTED));
      } catch (error) {
        promise = Promise.reject(error);
      }
    } else {
      const timedOut = () => new TimeoutError(`A Limiter task ran longer than ${timeoutMs} ms`, timeoutMs);
      promise = runWithTimeout(task, signal ?? NEVER_ABORTED, timeoutMs, timedOut);
    }
    if (this.#events.listening) this.#events.emit('active');
    if (group === undefined) {
      promise.then(this.#fulfilled, this.#rejected);
    } else {
      promise.then(
        (value) => {
          group.active--;
          this.#fulfilled(value);
        },
        (reason: unknown) => {
          group.active--;
          this.#rejected(reason);
        },
      );
    }
    return promise;
  }

  readonly #fulfilled = (value: unknown): void => {
    this.#active--;
    if (!this.#events.listening) return this.#pump();
    this.#events.emit('completed', value);
    this.#pump();
    this.#events.emit('next');
  };

  readonly #rejected = (reason: unknown): void => {
    this.#active--;
    if (!this.#events.listening) return this.#pump();
    this.#events.emit('error', reason);
    this.#pump();
    this.#events.emit('next');
  };

  #pump(): void {
    const hadWaiting = this.#queue.size !== 0;
    while (!this.#paused && this.#active < this.#concurrency) {
      const entry = this.#groups.capped ? this.#queue.takeFirst(canStart) : this.#queue.shift();
      if (entry === undefined) break;
      if (entry.onAbort !== undefined) entry.signal!.removeEventListener('abort', entry.onAbort);
      entry.context
        .runInAsyncScope(this.#start, this, entry.task, entry.signal, entry.group, entry.timeoutMs)
        .then(entry.resolve, entry.reject);
    }
    if (hadWaiting && this.#queue.size === 0 && this.#events.listening) this.#events.emit('empty');
    this.#checkIdle();
  }

  /** After `count` waiting tasks left the queue without running (aborted, cleared). */
  #left(count: number): void {
    if (count === 0) return;
    if (this.#events.listening) {
      if (this.#queue.size === 0) this.#events.emit('empty');
      for (let i = 0; i < count; i++) this.#events.emit('next');
    }
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (!this.#busy || this.#active !== 0 || this.#queue.size !== 0) return;
    this.#busy = false;
    if (this.#events.listening) this.#events.emit('idle');
  }
}

/** A time limit as `#start` takes it: `undefined` for none (what a timer cannot wait counts as none). */
function timeLimit(timeoutMs: number | undefined): number | undefined {
  return timeoutMs === undefined || timeoutMs > MAX_TIMER_MS ? undefined : timeoutMs;
}

function canStart(entry: Waiting): boolean {
  return hasRoom(entry.group);
}
