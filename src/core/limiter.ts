import { AsyncResource } from 'node:async_hooks';
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
  /**
   * The group the task counts against (an agent, a provider): see `setGroupLimit`. A waiting task
   * whose group is at its limit is passed over, and later tasks of other groups start before it.
   */
  readonly group?: string;
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

interface Group {
  limit: number;
  active: number;
}

interface Waiting extends QueueEntry {
  readonly task: Task<unknown>;
  readonly group: Group | undefined;
  readonly signal: AbortSignal | undefined;
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
 * A queued task runs in the async context of its `run` call (its `AsyncLocalStorage` stores), as a task
 * started at once does, never in that of the task that freed its slot.
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
  readonly #groups = new Map<string, Group>();
  /** How many groups have a finite limit: while none does, the queue's head always goes next. */
  #cappedGroups = 0;

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
    const group = options?.group === undefined ? undefined : this.#group(options.group);
    if (this.#active < this.#concurrency && this.#queue.size === 0 && hasRoom(group)) {
      return this.#start(task, signal, group);
    }
    if (this.#queue.size >= this.#maxQueue) {
      return Promise.reject(new QueueFullError(this.#queue.size, this.#maxQueue));
    }
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = {
        task,
        group,
        signal,
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
          this.#notifyIfIdle();
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#queue.push(entry);
      // A free slot with tasks waiting means every waiting task's group was full; this one may fit.
      if (this.#active < this.#concurrency) this.#pump();
    });
  }

  /**
   * Whether `run` would take a task now — start it or queue it — rather than refuse it with
   * `QueueFullError`. Lets a caller refuse before it records anything.
   */
  accepts(options?: { readonly group?: string }): boolean {
    if (this.#queue.size < this.#maxQueue) return true;
    const group = options?.group === undefined ? undefined : this.#groups.get(options.group);
    return this.#active < this.#concurrency && this.#queue.size === 0 && hasRoom(group);
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
    const checked = assertCount('limit', limit, 1, true);
    const state = this.#group(group);
    this.#cappedGroups += Number(checked !== Infinity) - Number(state.limit !== Infinity);
    state.limit = checked;
    this.#pump();
  }

  /** How many tasks of `group` run now, and its limit. */
  groupStats(group: string): { readonly active: number; readonly limit: number } {
    const state = this.#groups.get(group);
    return { active: state?.active ?? 0, limit: state?.limit ?? Infinity };
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

  #group(name: string): Group {
    let group = this.#groups.get(name);
    if (group === undefined) {
      group = { limit: Infinity, active: 0 };
      this.#groups.set(name, group);
    }
    return group;
  }

  #start<T>(task: Task<T>, signal: AbortSignal | undefined, group: Group | undefined): Promise<T> {
    this.#active++;
    if (this.#active > this.#peak) this.#peak = this.#active;
    if (group !== undefined) group.active++;
    let promise: Promise<T>;
    try {
      promise = Promise.resolve(task(signal ?? NEVER_ABORTED));
    } catch (error) {
      promise = Promise.reject(error);
    }
    if (group === undefined) {
      promise.then(this.#release, this.#release);
    } else {
      const release = (): void => {
        group.active--;
        this.#release();
      };
      promise.then(release, release);
    }
    return promise;
  }

  readonly #release = (): void => {
    this.#active--;
    this.#pump();
  };

  #pump(): void {
    while (this.#active < this.#concurrency) {
      const entry = this.#cappedGroups === 0 ? this.#queue.shift() : this.#queue.takeFirst(canStart);
      if (entry === undefined) break;
      if (entry.onAbort !== undefined) entry.signal!.removeEventListener('abort', entry.onAbort);
      entry.context
        .runInAsyncScope(this.#start, this, entry.task, entry.signal, entry.group)
        .then(entry.resolve, entry.reject);
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

function hasRoom(group: Group | undefined): boolean {
  return group === undefined || group.active < group.limit;
}

function canStart(entry: Waiting): boolean {
  return hasRoom(entry.group);
}
