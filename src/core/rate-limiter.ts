import { Deque } from './deque.js';
import { assertNonNegative } from './validate.js';

/** Options of a `KeyedRateLimiter`. */
export interface KeyedRateLimiterOptions {
  /** Starts per second allowed per key; `0` means unlimited (only `backoff` delays). */
  readonly ratePerSecond: number;
  /**
   * The monotonic clock in milliseconds.
   * @default performance.now
   */
  readonly now?: () => number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

interface KeyState {
  /** The earliest time the next start may happen. */
  nextAt: number;
  readonly waiters: Deque<Waiter>;
  timer: NodeJS.Timeout | undefined;
}

/** Keys idle for longer than this are forgotten, so a crawl over many hosts holds no growing map. */
const PRUNE_THRESHOLD_KEYS = 1_000;

/**
 * Spaces starts per key (a host, a provider) by at least `1 / ratePerSecond` seconds, shared by any
 * number of callers and fair in arrival order. `backoff` pushes a key back, as a 429 with
 * `Retry-After` asks.
 */
export class KeyedRateLimiter {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, KeyState>();

  constructor(options: KeyedRateLimiterOptions) {
    const rate = assertNonNegative('ratePerSecond', options.ratePerSecond);
    this.#intervalMs = rate === 0 ? 0 : 1000 / rate;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Resolves when `key` may start; rejects with `signal.reason` if the signal aborts first. */
  acquire(key: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    const state = this.#state(key);
    const now = this.#now();
    if (state.waiters.size === 0 && now >= state.nextAt) {
      state.nextAt = now + this.#intervalMs;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined, done: false };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          waiter.done = true;
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      state.waiters.push(waiter);
      this.#schedule(key, state);
    });
  }

  /** Lets no start happen on `key` for `ms` from now (a later time already set stays). */
  backoff(key: string, ms: number): void {
    assertNonNegative('ms', ms);
    const state = this.#state(key);
    state.nextAt = Math.max(state.nextAt, this.#now() + ms);
    if (state.timer !== undefined) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    this.#schedule(key, state);
  }

  /** How long `key` has to wait before its next start could happen, in ms (0 when free). */
  delayMs(key: string): number {
    const state = this.#keys.get(key);
    return state === undefined ? 0 : Math.max(0, state.nextAt - this.#now());
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (state === undefined) {
      if (this.#keys.size >= PRUNE_THRESHOLD_KEYS) this.#prune();
      state = { nextAt: -Infinity, waiters: new Deque(), timer: undefined };
      this.#keys.set(key, state);
    }
    return state;
  }

  #schedule(key: string, state: KeyState): void {
    if (state.timer !== undefined || state.waiters.size === 0) return;
    const delay = Math.max(0, state.nextAt - this.#now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.#release(key, state);
    }, delay);
  }

  /** Hands the slot to waiters in arrival order while the key is free, then schedules the rest. */
  #release(key: string, state: KeyState): void {
    const now = this.#now();
    while (now >= state.nextAt) {
      const waiter = state.waiters.shift();
      if (waiter === undefined) break;
      if (waiter.done) continue;
      waiter.done = true;
      if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      state.nextAt = now + this.#intervalMs;
      waiter.resolve();
    }
    this.#schedule(key, state);
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, state] of this.#keys) {
      if (state.waiters.size === 0 && state.timer === undefined && state.nextAt <= now)
        this.#keys.delete(key);
    }
  }
}
