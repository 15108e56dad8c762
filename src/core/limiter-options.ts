import { InvalidArgumentError } from './errors.js';
import {
  assertCount,
  assertObject,
  assertOptionalBoolean,
  assertOptionalSignal,
  assertOptionalString,
  assertOptionalTimeout,
  describeValue,
} from './validate.js';

/** Options of a `Limiter`. */
export interface LimiterOptions {
  /** How many tasks may run at once: an integer ≥ 1, or `Infinity`. */
  readonly concurrency: number;
  /**
   * How many tasks may wait; `run` rejects with `QueueFullError` beyond it. `0` means nothing waits.
   * @default Infinity
   */
  readonly maxQueue?: number;
  /**
   * How long each task may run, in milliseconds from its start (not counting its wait), unless its `run`
   * call says otherwise: a number > 0, `Infinity` for no limit. See `RunOptions.timeoutMs`.
   * @default Infinity
   */
  readonly timeoutMs?: number;
  /**
   * Start paused: tasks queue and nothing starts until `start()`.
   * @default false
   */
  readonly paused?: boolean;
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
  /**
   * How long the task may run, in milliseconds from its start: a number > 0, `Infinity` for no limit.
   * When the time is up, `run` rejects at once with a `TimeoutError` (`E_TIMEOUT`), the task's signal
   * aborts with that error (when the task takes a signal at all) and its slot goes to the next task, as
   * in p-queue. A task that ignores its signal goes on running outside the bound; what it returns later
   * is ignored.
   * @default the limiter's `timeoutMs`
   */
  readonly timeoutMs?: number;
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

/** The events of a `Limiter`, each with the arguments its listeners get. */
export interface LimiterEvents {
  /** A task was taken: started at once or queued (not when `run` refused it). */
  readonly add: [];
  /** A task started: it holds a slot now. */
  readonly active: [];
  /** A task fulfilled, with its value. */
  readonly completed: [value: unknown];
  /** A task that started rejected or timed out, with the reason (a `TimeoutError` for a timeout). */
  readonly error: [error: unknown];
  /**
   * A task is done with the limiter: it gave its slot back (after `completed` or `error`), or it left the
   * queue without running (its signal aborted, or `clear`).
   */
  readonly next: [];
  /** The queue became empty: the last waiting task started or left. */
  readonly empty: [];
  /** Nothing runs and nothing waits any more. */
  readonly idle: [];
}

/** The names of `LimiterEvents`. */
export const LIMITER_EVENTS: readonly (keyof LimiterEvents)[] = [
  'add',
  'active',
  'completed',
  'error',
  'next',
  'empty',
  'idle',
];

/** Checks a `Limiter`'s options; the error names the option, the value and its type. */
export function assertLimiterOptions(options: unknown): asserts options is LimiterOptions {
  assertObject('options', options);
  const { concurrency, maxQueue, timeoutMs, paused } = options as LimiterOptions;
  assertCount('concurrency', concurrency, 1, true);
  if (maxQueue !== undefined) assertCount('maxQueue', maxQueue, 0, true);
  assertOptionalTimeout('timeoutMs', timeoutMs);
  assertOptionalBoolean('paused', paused);
}

/** Checks the options of one `run` call; the error names the option, the value and its type. */
export function assertRunOptions(options: unknown): asserts options is RunOptions {
  assertObject('options', options);
  const { signal, priority, group, timeoutMs } = options as RunOptions;
  assertOptionalSignal('signal', signal);
  if (priority !== undefined && !(typeof priority === 'number' && Number.isFinite(priority))) {
    throw new InvalidArgumentError(
      `Expected \`priority\` to be a finite number, got ${describeValue(priority)}`,
    );
  }
  assertOptionalString('group', group);
  assertOptionalTimeout('timeoutMs', timeoutMs);
}
