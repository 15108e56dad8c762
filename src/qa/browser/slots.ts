import type { BrowserContext } from 'playwright-core';
import type { HostedContext } from './browser-host.js';

/** One context of a pool, lent to one worker at a time until it is released. */
export interface ContextLease {
  /** The context to open pages in; every page opened in it counts toward its recycling. */
  readonly context: BrowserContext;
  /** Which of the pool's contexts this is, from 0 to `contexts − 1`. */
  readonly slot: number;
  /**
   * Aborts when the context is lost under the lease: with a `BrowserCrashedError` when the browser
   * crashed, with an `E_STATE` error when the pool closes. Pass it (with your own) to `visitPage`.
   */
  readonly signal: AbortSignal;
}

/** The pool's own record of a lease. */
export class Lease implements ContextLease {
  readonly #controller = new AbortController();
  /** Set once the lease went back to the pool. */
  released = false;

  constructor(
    readonly context: BrowserContext,
    readonly slot: number,
    /** The browser generation the context belongs to (a crash starts a new one). */
    readonly generation: number,
  ) {}

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Tells the holder its context is gone. */
  lose(reason: Error): void {
    this.#controller.abort(reason);
  }
}

/** One of a pool's `contexts` places: the context in it now, and who holds it. */
export interface Slot {
  readonly index: number;
  /** The context being made or made for the current generation; `undefined` when there is none yet. */
  ready: Promise<HostedContext> | undefined;
  /** The generation `ready` was made for. */
  readyGeneration: number;
  /** The version of the pool's context settings `ready` was made with (`setStorageState` bumps it). */
  settingsVersion: number;
  /** The context once made, for closing and counting. */
  context: BrowserContext | undefined;
  /** Pages opened in `context` so far. */
  pages: number;
  /** Whether a worker holds the slot (or is being given it). */
  taken: boolean;
  lease: Lease | undefined;
}

/** A caller of `acquire` waiting for a slot to be released. */
export interface Waiter {
  readonly resolve: (slot: Slot) => void;
  readonly reject: (error: unknown) => void;
}

/** `n` empty slots. */
export function emptySlots(n: number): Slot[] {
  return Array.from({ length: n }, (_, index) => ({
    index,
    ready: undefined,
    readyGeneration: -1,
    settingsVersion: 0,
    context: undefined,
    pages: 0,
    taken: false,
    lease: undefined,
  }));
}
