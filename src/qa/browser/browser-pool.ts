import type { BrowserContext } from 'playwright-core';
import { FlotillaError, Lifecycle } from '../../core/index.js';
import { abortable, settleWithin } from './abortable.js';
import { BrowserHost, type HostedContext } from './browser-host.js';
import type { ContextSettings, StorageState } from './context-settings.js';
import type { BrowserCrashedError } from './errors.js';
import {
  resolvePoolConfig,
  type BrowserPoolOptions,
  type BrowserPoolStats,
  type PoolConfig,
} from './pool-options.js';
import type { BrowserTreeUsage } from './process-tree.js';
import { emptySlots, Lease, type ContextLease, type Slot, type Waiter } from './slots.js';

/**
 * One headless Chromium with `contexts` isolated browser contexts, each lent to one worker at a time:
 * never a browser per worker. A context counts the documents its pages load (main-frame navigations);
 * one that loaded `pagesPerContext` is closed at its release and
 * replaced by a fresh one with the same storage state, headers and cookies; `setStorageState` (a login)
 * replaces every context with one of the new state. If the browser crashes, the
 * holders' lease signals abort with a `BrowserCrashedError` and the browser is relaunched (`relaunches`
 * times at most; then every `acquire` fails with that error). `close` leaves no process of it behind.
 */
export class BrowserPool {
  readonly #config: PoolConfig;
  readonly #host: BrowserHost;
  readonly #slots: Slot[];
  readonly #waiters: Waiter[] = [];
  readonly #lifecycle = new Lifecycle({
    name: 'browser pool',
    error: (message) => new FlotillaError('E_STATE', message),
  });
  /** Contexts opened outside the slots (`openContext`), closed with the pool. */
  readonly #extras = new Set<BrowserContext>();
  #settings: ContextSettings;
  #settingsVersion = 0;
  #recycled = 0;
  #pages = 0;

  private constructor(config: PoolConfig) {
    this.#config = config;
    this.#settings = config.settings;
    this.#slots = emptySlots(config.contexts);
    this.#host = new BrowserHost(config, {
      crashed: (error) => this.#onCrash(error),
      relaunched: () => this.#warm(),
    });
  }

  /**
   * Launches the browser and opens its `contexts` contexts.
   * @throws NoBrowserError (`E_NO_BROWSER`) when no Chromium is found, BrowserLaunchError
   *   (`E_BROWSER_LAUNCH`) when it does not start, InvalidArgumentError for a bad option or storage
   *   state, or the signal's reason; nothing is left running.
   */
  static async launch(options: BrowserPoolOptions): Promise<BrowserPool> {
    const { signal } = options;
    if (signal.aborted) throw signal.reason;
    const pool = new BrowserPool(await resolvePoolConfig(options));
    try {
      await pool.#lifecycle.start(async () => {
        await pool.#host.start(signal);
        await abortable(Promise.all(pool.#slots.map((slot) => pool.#ready(slot))), signal);
      });
    } catch (error) {
      await pool.#host.close(pool.#contexts());
      throw error;
    }
    return pool;
  }

  /** What the pool did so far. */
  get stats(): BrowserPoolStats {
    return {
      contexts: this.#contexts().length,
      leased: this.#slots.filter((slot) => slot.lease !== undefined).length,
      waiting: this.#waiters.length,
      recycled: this.#recycled,
      pages: this.#pages,
      launches: this.#host.launches,
      crashes: this.#host.crashes,
    };
  }

  /**
   * Whether the contexts get in as someone: a storage state (saved, or a login's), headers or cookies.
   * Requests made outside the browser (the link checks) carry none of them, so an answer they get that
   * asks for a login says nothing of what the browser would see.
   */
  get hasAccess(): boolean {
    const { storageState, headers, cookies } = this.#settings;
    return (
      storageState !== undefined ||
      Object.keys(headers ?? {}).length > 0 ||
      (cookies !== undefined && cookies.length > 0)
    );
  }

  /** Milliseconds the current browser took to launch (to a browser that answers). */
  get launchMs(): number {
    return this.#host.launchMs;
  }

  /** The browser's live processes (main, zygotes, renderers, helpers) and their memory, from `/proc`. */
  processTree(): Promise<BrowserTreeUsage> {
    return this.#host.processTree();
  }

  /**
   * A lease on a context nobody else holds, once one is free (first come, first served). Give it back
   * with `release`, however the work with it ended.
   * @throws an `E_STATE` error once the pool is closing, the `BrowserCrashedError` that made the pool
   *   give up, or the signal's reason when it aborts first.
   */
  async acquire(signal: AbortSignal): Promise<ContextLease> {
    this.#lifecycle.assertStarted();
    if (this.#host.failure !== undefined) throw this.#host.failure;
    if (signal.aborted) throw signal.reason;
    const slot = await this.#take(signal);
    try {
      for (;;) {
        if (slot.settingsVersion !== this.#settingsVersion) this.#renew(slot);
        const { context, generation } = await abortable(this.#ready(slot), signal);
        // A context made just before a crash is no context: wait for one of the relaunched browser. One
        // replaced meanwhile (a new storage state) is closed: wait for its successor.
        if (generation !== this.#host.generation || context !== slot.context) continue;
        this.#lifecycle.assertStarted();
        const lease = new Lease(context, slot.index, generation);
        slot.lease = lease;
        return lease;
      }
    } catch (error) {
      // The slot goes to the next caller once the context being made for it is there (or failed).
      void settleWithin(slot.ready ?? Promise.resolve(), this.#config.closeTimeoutMs).then(() =>
        this.#free(slot),
      );
      throw error;
    }
  }

  /**
   * Gives a lease back. A context that loaded `pagesPerContext` pages, or that has a storage state older
   * than `setStorageState`'s, is closed (with every page open in it) and replaced by a fresh one; the next holder waits for it if it is not ready yet. Pages stay open
   * otherwise (the one `visitPage` keeps is reused). Releasing twice, after `close`, or a lease of
   * another pool does nothing.
   */
  release(lease: ContextLease): void {
    const slot = this.#slots[lease.slot];
    if (!(lease instanceof Lease) || lease.released || slot?.lease !== lease) return;
    lease.released = true;
    slot.lease = undefined;
    if (!this.#lifecycle.started) return;
    if (lease.generation !== this.#host.generation) {
      // Its browser crashed: the slot gets a context of the new browser when it is next acquired.
    } else if (slot.pages >= this.#config.pagesPerContext) {
      this.#recycled++;
      this.#renew(slot);
    } else if (slot.settingsVersion !== this.#settingsVersion) {
      this.#renew(slot);
    }
    this.#free(slot);
  }

  /**
   * Gives every context from now on `state` (a login's cookies and local storage) instead of the storage
   * state it was launched with. Contexts nobody holds are replaced at once; a leased one goes on with its
   * old state until its release, then is replaced. The headers and cookies of `launch` stay.
   */
  setStorageState(state: StorageState): void {
    this.#lifecycle.assertStarted();
    this.#settings = { ...this.#settings, storageState: state };
    this.#settingsVersion++;
    for (const slot of this.#slots) if (!slot.taken) this.#renew(slot);
  }

  /**
   * A context of the pool's browser outside its slots (for a login), with the headers, cookies and user
   * agent of `launch` but no storage state: nobody's session. The caller closes it; `close` does too.
   * @throws an `E_STATE` error once the pool is closing, or a `BrowserCrashedError`.
   */
  async openContext(): Promise<BrowserContext> {
    this.#lifecycle.assertStarted();
    const { storageState: _, ...settings } = this.#settings;
    const { context } = await this.#host.newContext(settings);
    if (!this.#lifecycle.started) {
      await context.close().catch(() => undefined);
      this.#lifecycle.assertStarted();
    }
    this.#extras.add(context);
    context.on('close', () => this.#extras.delete(context));
    return context;
  }

  /**
   * Closes the contexts and the browser, then makes sure none of its processes is left (SIGTERM, then
   * SIGKILL, to each one still there). Waiting callers of `acquire` and the holders' lease signals get
   * an `E_STATE` error. Every call waits for the same close.
   */
  close(): Promise<void> {
    return this.#lifecycle.stop(async () => {
      const error = new FlotillaError('E_STATE', 'The browser pool is closed');
      for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
      for (const slot of this.#slots) slot.lease?.lose(error);
      await this.#host.close([...this.#contexts(), ...this.#extras]);
      for (const slot of this.#slots) this.#forget(slot);
    });
  }

  #contexts(): BrowserContext[] {
    return this.#slots.flatMap((slot) => (slot.context === undefined ? [] : [slot.context]));
  }

  /** A free slot, now or once one is released. */
  #take(signal: AbortSignal): Promise<Slot> {
    const free = this.#slots.find((slot) => !slot.taken);
    if (free !== undefined) {
      free.taken = true;
      return Promise.resolve(free);
    }
    return new Promise<Slot>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(signal.reason as Error);
      };
      const waiter: Waiter = {
        resolve: (slot) => {
          signal.removeEventListener('abort', onAbort);
          resolve(slot);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Hands the slot to the first waiter, or marks it free. */
  #free(slot: Slot): void {
    const waiter = this.#lifecycle.started ? this.#waiters.shift() : undefined;
    if (waiter === undefined) slot.taken = false;
    else waiter.resolve(slot);
  }

  /** The slot's context for the current browser, made (once) if it has none. */
  #ready(slot: Slot): Promise<HostedContext> {
    if (slot.ready !== undefined && slot.readyGeneration === this.#host.generation) return slot.ready;
    slot.settingsVersion = this.#settingsVersion;
    const ready: Promise<HostedContext> = this.#host.newContext(this.#settings).then((hosted) => {
      const { context } = hosted;
      // Made for a slot that was forgotten since (a crash, the close): nobody will use it.
      if (slot.ready !== ready) {
        void context.close().catch(() => undefined);
        return hosted;
      }
      slot.context = context;
      slot.pages = 0;
      context.on('page', (page) => {
        page.on('framenavigated', (frame) => {
          if (slot.context !== context || frame !== page.mainFrame()) return;
          slot.pages++;
          this.#pages++;
        });
      });
      return hosted;
    });
    slot.ready = ready;
    slot.readyGeneration = this.#host.generation;
    ready.catch(() => {
      if (slot.ready === ready) slot.ready = undefined;
    });
    return ready;
  }

  /** Closes the slot's context (or the one being made for it) and starts making a fresh one. */
  #renew(slot: Slot): void {
    const old = slot.context;
    this.#forget(slot);
    void old?.close().catch(() => undefined);
    void this.#ready(slot).catch(() => undefined);
  }

  /** The slot has no context any more (closed, recycled or crashed with the browser). */
  #forget(slot: Slot): void {
    slot.ready = undefined;
    slot.context = undefined;
    slot.pages = 0;
  }

  #onCrash(error: BrowserCrashedError): void {
    for (const slot of this.#slots) {
      this.#forget(slot);
      slot.lease?.lose(error);
    }
    if (!error.relaunched) for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  /** Opens contexts in the relaunched browser for the slots nobody holds. */
  #warm(): void {
    for (const slot of this.#slots) if (!slot.taken) void this.#ready(slot).catch(() => undefined);
  }
}
