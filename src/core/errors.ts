import type { ErrorCode } from './error-codes.js';

/**
 * The error classes of Flotilla. Every error carries a stable `code` that callers and the CLI/server
 * map to exit codes and HTTP statuses; the message is for people and may change.
 */
export class FlotillaError extends Error {
  /** A stable, machine-readable code such as `E_QUEUE_FULL` (one of `ERROR_CODES`). */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A `Limiter` refused work because `maxQueue` tasks already wait. */
export class QueueFullError extends FlotillaError {
  constructor(
    readonly queued: number,
    readonly maxQueue: number,
  ) {
    super('E_QUEUE_FULL', `The queue is full: ${queued} tasks wait and max_queue is ${maxQueue}`);
  }
}

/** A function was called with an option or argument it cannot use. Nothing was changed. */
export class InvalidArgumentError extends FlotillaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_INVALID_ARGUMENT', message, options);
  }
}

/** Work was stopped because its deadline passed. */
export class TimeoutError extends FlotillaError {
  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super('E_TIMEOUT', message);
  }
}

/** Work was stopped because an earlier item of the same batch failed (see `mapOrdered`). */
export class HaltedError extends FlotillaError {
  constructor(readonly haltIndex: number) {
    super('E_HALTED', `Stopped because item ${haltIndex} failed`);
  }
}

/** The reason given when work is cancelled on purpose (a user's cancel, a shutdown). */
export class CancelledError extends FlotillaError {
  constructor(message = 'Cancelled') {
    super('E_CANCELLED', message);
  }
}

/**
 * The reason given when work is stopped but not ended: a shutdown, a Ctrl-C, a lost lease. Unlike a
 * `CancelledError`, the work is `interrupted` and can resume (a job runs again at the next start, a run
 * resumes with `flotilla runs resume`).
 */
export class InterruptedError extends FlotillaError {
  constructor(message = 'Interrupted') {
    super('E_INTERRUPTED', message);
  }
}

/** True when `error` is a `FlotillaError` with the given code. */
export function hasCode(error: unknown, code: ErrorCode): boolean {
  return error instanceof FlotillaError && error.code === code;
}
