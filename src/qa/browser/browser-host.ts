import type { Browser, BrowserContext } from 'playwright-core';
import { FlotillaError } from '../../core/index.js';
import { settleWithin } from './abortable.js';
import { newIsolatedContext, type ContextSettings } from './context-settings.js';
import { BrowserCrashedError } from './errors.js';
import { launchBrowser, type LaunchBrowserOptions, type LaunchedBrowser } from './launch.js';
import type { PoolConfig } from './pool-options.js';
import { browserTreeUsage, terminateBrowserTree, type BrowserTreeUsage } from './process-tree.js';

/** How long the browser's processes get between SIGTERM and SIGKILL when they have to be killed. */
const KILL_GRACE_MS = 1_000;

/** A context and the browser generation it belongs to (each relaunch after a crash starts a new one). */
export interface HostedContext {
  readonly context: BrowserContext;
  readonly generation: number;
}

/** What a host tells its pool. */
export interface HostEvents {
  /** The browser crashed; `error.relaunched` tells whether a new one is coming. */
  readonly crashed: (error: BrowserCrashedError) => void;
  /** A relaunched browser is up. */
  readonly relaunched: () => void;
}

/**
 * The one browser of a pool: launches it, makes its contexts, notices a crash (a disconnection nobody
 * asked for) and relaunches it up to `relaunches` times, and closes it leaving no process behind.
 */
export class BrowserHost {
  readonly #config: PoolConfig;
  readonly #events: HostEvents;
  /** Aborts a relaunch in flight, and refuses new contexts, once the host closes. */
  readonly #closing = new AbortController();
  #launched: LaunchedBrowser | undefined;
  #generation = 0;
  #relaunching: Promise<void> | undefined;
  #failure: BrowserCrashedError | undefined;
  #launches = 0;
  #crashes = 0;

  constructor(config: PoolConfig, events: HostEvents) {
    this.#config = config;
    this.#events = events;
  }

  /** Browsers launched so far. */
  get launches(): number {
    return this.#launches;
  }

  get crashes(): number {
    return this.#crashes;
  }

  /** The current browser's generation: 0, plus one per crash. */
  get generation(): number {
    return this.#generation;
  }

  /** The crash that made the host give up, if it did. */
  get failure(): BrowserCrashedError | undefined {
    return this.#failure;
  }

  /** Milliseconds the current browser took to launch. */
  get launchMs(): number {
    return this.#launched?.launchMs ?? 0;
  }

  /** Launches the first browser. @throws BrowserLaunchError, or the signal's reason. */
  async start(signal: AbortSignal): Promise<void> {
    this.#adopt(await launchBrowser(this.#config.executablePath, this.#launchOptions(signal)));
  }

  /**
   * A new isolated context of the current browser with `settings`, once a relaunch in flight is done.
   * @throws the `BrowserCrashedError` of a crash (the host's failure when it gave up), an `E_STATE`
   *   error once closing, or Playwright's error for settings it refuses.
   */
  async newContext(settings: ContextSettings): Promise<HostedContext> {
    if (this.#relaunching !== undefined) await this.#relaunching;
    this.#assertUsable();
    const generation = this.#generation;
    const browser = this.#launched!.browser;
    let context: BrowserContext;
    try {
      context = await newIsolatedContext(browser, settings);
    } catch (error) {
      if (browser.isConnected()) throw error;
      this.#assertUsable();
      throw crashedError(true, this.#crashes);
    }
    if (generation !== this.#generation || this.#closing.signal.aborted) {
      void context.close().catch(() => undefined);
      this.#assertUsable();
      throw crashedError(true, this.#crashes);
    }
    return { context, generation };
  }

  /** The browser's live processes and their memory, from `/proc`. */
  async processTree(): Promise<BrowserTreeUsage> {
    if (this.#launched === undefined) return { pids: [], rssBytes: 0, pssBytes: 0 };
    return browserTreeUsage(this.#launched.identity);
  }

  /**
   * Closes `contexts` and the browser through Playwright (for `closeTimeoutMs` at most), then SIGTERMs and
   * SIGKILLs whatever of the browser is still running. Resolves once nothing is (or SIGKILL did not help).
   */
  async close(contexts: readonly BrowserContext[]): Promise<void> {
    this.#closing.abort(new FlotillaError('E_STATE', 'The browser pool is closed'));
    if (this.#relaunching !== undefined) await this.#relaunching;
    const launched = this.#launched;
    if (launched === undefined) return;
    const closing = (async () => {
      await Promise.allSettled(contexts.map((context) => context.close()));
      await launched.browser.close();
    })();
    await settleWithin(closing, this.#config.closeTimeoutMs);
    await terminateBrowserTree(launched.identity, KILL_GRACE_MS);
  }

  #assertUsable(): void {
    if (this.#closing.signal.aborted) throw this.#closing.signal.reason;
    if (this.#failure !== undefined) throw this.#failure;
  }

  #adopt(launched: LaunchedBrowser): void {
    this.#launched = launched;
    this.#launches++;
    const { browser } = launched;
    browser.on('disconnected', () => this.#onDisconnected(browser));
  }

  /** The browser went away without `close`: it crashed, or something killed it. */
  #onDisconnected(browser: Browser): void {
    if (browser !== this.#launched?.browser || this.#closing.signal.aborted) return;
    this.#crashes++;
    this.#generation++;
    const relaunch = this.#crashes <= this.#config.relaunches;
    const error = crashedError(relaunch, this.#crashes);
    if (!relaunch) this.#failure = error;
    this.#events.crashed(error);
    if (relaunch) this.#relaunching = this.#relaunch(this.#launched.identity);
  }

  async #relaunch(old: LaunchedBrowser['identity']): Promise<void> {
    try {
      // Whatever the crash left (a helper, a crash handler) goes before a new browser comes.
      await terminateBrowserTree(old, KILL_GRACE_MS);
      const launched = await launchBrowser(
        this.#config.executablePath,
        this.#launchOptions(this.#closing.signal),
      );
      if (this.#closing.signal.aborted) {
        await launched.browser.close().catch(() => undefined);
        await terminateBrowserTree(launched.identity, KILL_GRACE_MS);
        return;
      }
      this.#adopt(launched);
      this.#relaunching = undefined;
      this.#events.relaunched();
    } catch (cause) {
      if (this.#closing.signal.aborted) return;
      this.#failure = new BrowserCrashedError('The browser crashed and could not be relaunched', false, {
        cause,
      });
      this.#events.crashed(this.#failure);
    } finally {
      this.#relaunching = undefined;
    }
  }

  #launchOptions(signal: AbortSignal): LaunchBrowserOptions {
    return {
      signal,
      ...(this.#config.env === undefined ? {} : { env: this.#config.env }),
      ...(this.#config.launchTimeoutMs === undefined ? {} : { timeoutMs: this.#config.launchTimeoutMs }),
    };
  }
}

/** The error of a crash, as a lease holder (or, once the host gave up, every caller) sees it. */
function crashedError(relaunched: boolean, crashes: number): BrowserCrashedError {
  const message = relaunched
    ? 'The browser crashed, and this context with it; the pool relaunched the browser: acquire another context'
    : `The browser crashed (${crashes} ${crashes === 1 ? 'time' : 'times'}), more often than the pool relaunches it: the pool gave up`;
  return new BrowserCrashedError(message, relaunched);
}
