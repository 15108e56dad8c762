import { InvalidArgumentError } from './errors.js';
import { NEVER_ABORTED } from './signals.js';

/**
 * The longest delay a Node.js timer can wait (2^31 − 1 ms, about 24.8 days). Node fires a longer one
 * after 1 ms, so a longer bound must be treated as no bound rather than handed to a timer.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Resolves after `ms` milliseconds. If `signal` aborts first (or already has), it rejects at once with
 * the signal's `reason` — the caller's own error, not a generic `AbortError` — and leaves no timer or
 * listener behind. A caller that wants "did the wait finish?" catches and checks `signal.aborted`.
 *
 * Rejects with `InvalidArgumentError` when `ms` is not a number from 0 to `MAX_TIMER_MS`.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(typeof ms === 'number' && ms >= 0 && ms <= MAX_TIMER_MS)) {
    return Promise.reject(
      new InvalidArgumentError(`Expected \`ms\` to be a number from 0 to ${MAX_TIMER_MS}, got ${String(ms)}`),
    );
  }
  if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal bounded in time, and how to release what bounds it. */
export interface Deadline {
  /** Aborts when the parent does (with its reason) or when the time is up (with the given reason). */
  readonly signal: AbortSignal;
  /** Clears the timer and the listener on the parent; call it once the work is done, however it ended. */
  readonly dispose: () => void;
}

/**
 * A signal that follows `parent` and also aborts with `reason()` after `timeoutMs`. Without a limit —
 * `timeoutMs` `undefined`, `0`, or longer than a timer can wait (`MAX_TIMER_MS`) — it is `parent` itself.
 * `reason` is called only when the time is up.
 */
export function withTimeout(
  parent: AbortSignal,
  timeoutMs: number | undefined,
  reason: () => Error,
): Deadline {
  if (timeoutMs === undefined || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS) {
    return { signal: parent, dispose: () => undefined };
  }
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(reason()), timeoutMs);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Runs `task` with a signal that follows `parent` and also aborts after `timeoutMs`, and settles like
 * the task — unless the time is up first: then it rejects at once with `reason()`, the same error the
 * task's signal aborts with, and what the task does afterwards is ignored. Without a limit (as for
 * `withTimeout`) it just runs the task.
 *
 * A task that declares no parameter (`task.length === 0`) cannot be told through a signal, so it gets
 * `parent` and only the timer is set: on Node 20 a signal costs more than the rest of the bookkeeping.
 */
export function runWithTimeout<T>(
  task: (signal: AbortSignal) => PromiseLike<T> | T,
  parent: AbortSignal,
  timeoutMs: number,
  reason: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const limited = timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS;
    const controller = limited && task.length > 0 ? new AbortController() : undefined;
    const onAbort =
      controller === undefined || parent === NEVER_ABORTED
        ? undefined
        : () => controller.abort(parent.reason);
    if (onAbort !== undefined) {
      if (parent.aborted) onAbort();
      else parent.addEventListener('abort', onAbort, { once: true });
    }
    const timer = limited
      ? setTimeout(() => {
          const error = reason();
          reject(error);
          controller?.abort(error);
        }, timeoutMs)
      : undefined;
    const dispose = (): void => {
      clearTimeout(timer);
      if (onAbort !== undefined) parent.removeEventListener('abort', onAbort);
    };
    let result: PromiseLike<T> | T;
    try {
      result = task(controller?.signal ?? parent);
    } catch (error) {
      dispose();
      reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        dispose();
        resolve(value);
      },
      (error: unknown) => {
        dispose();
        reject(error);
      },
    );
  });
}

/**
 * A monotonic stopwatch: the function it returns gives the milliseconds since `stopwatch()` was called,
 * on the clock timeouts use (`performance.now()`), which a wall-clock jump never moves.
 */
export function stopwatch(): () => number {
  const startedMs = performance.now();
  return () => performance.now() - startedMs;
}
