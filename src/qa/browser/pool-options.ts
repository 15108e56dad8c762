import type { Environment } from '../../config/index.js';
import { assertCount } from '../../core/index.js';
import {
  loadStorageState,
  type BrowserCookie,
  type ContextSettings,
  type StorageState,
} from './context-settings.js';
import { findChromium } from './find-chromium.js';

/** How many pages a context serves, by default, before it is replaced by a fresh one. */
export const DEFAULT_PAGES_PER_CONTEXT = 50;
/** How long `close` waits for Playwright to close the contexts and the browser before killing it. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/** Options of `BrowserPool.launch`. */
export interface BrowserPoolOptions {
  /** The Chromium to launch. @default findChromium(env) */
  readonly executablePath?: string;
  /** Where `findChromium` looks, and the browser's environment. @default process.env */
  readonly env?: Environment;
  /** How many isolated contexts the one browser has: one per worker. */
  readonly contexts: number;
  /**
   * Pages (documents loaded by a main frame) a context serves before it is closed and replaced at its
   * release. @default 50
   */
  readonly pagesPerContext?: number;
  /** Cookies and local storage every context starts with: the object, or a JSON file read once. */
  readonly storageState?: string | StorageState;
  /** Headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Cookies added to every context. */
  readonly cookies?: readonly BrowserCookie[];
  readonly userAgent?: string;
  /** Every context accepts any TLS certificate (`ContextSettings.ignoreHttpsErrors`): for tests only. */
  readonly ignoreHttpsErrors?: boolean;
  /** How many crashes of the browser the pool survives by relaunching it. @default 1 */
  readonly relaunches?: number;
  /** @default DEFAULT_LAUNCH_TIMEOUT_MS (30 s) */
  readonly launchTimeoutMs?: number;
  /** @default DEFAULT_CLOSE_TIMEOUT_MS (5 s) */
  readonly closeTimeoutMs?: number;
  /** Aborts the launch (not the pool once launched: `close` ends it). */
  readonly signal: AbortSignal;
}

/** What a pool did so far. */
export interface BrowserPoolStats {
  /** Contexts open now. */
  readonly contexts: number;
  /** Contexts leased now. */
  readonly leased: number;
  /** Callers of `acquire` waiting for a context. */
  readonly waiting: number;
  /** Contexts closed and replaced after serving `pagesPerContext` pages. */
  readonly recycled: number;
  /** Documents loaded by the main frames of all contexts' pages. */
  readonly pages: number;
  /** Browsers launched: 1, plus one per relaunch after a crash. */
  readonly launches: number;
  readonly crashes: number;
}

/** The options of a pool, checked, with their defaults and the storage state read. */
export interface PoolConfig {
  readonly executablePath: string;
  readonly env: Environment | undefined;
  readonly contexts: number;
  readonly pagesPerContext: number;
  readonly relaunches: number;
  readonly launchTimeoutMs: number | undefined;
  readonly closeTimeoutMs: number;
  readonly settings: ContextSettings;
}

/**
 * Checks `options`, finds Chromium when no path is given and reads the storage state file.
 * @throws InvalidArgumentError for a bad option or storage state, NoBrowserError when no Chromium is found.
 */
export async function resolvePoolConfig(options: BrowserPoolOptions): Promise<PoolConfig> {
  const contexts = assertCount('contexts', options.contexts, 1);
  const pagesPerContext = assertCount(
    'pagesPerContext',
    options.pagesPerContext ?? DEFAULT_PAGES_PER_CONTEXT,
    1,
    true,
  );
  const relaunches = assertCount('relaunches', options.relaunches ?? 1, 0);
  const executablePath = options.executablePath ?? findChromium(options.env);
  const storageState = await loadStorageState(options.storageState, options.signal);
  return {
    executablePath,
    env: options.env,
    contexts,
    pagesPerContext,
    relaunches,
    launchTimeoutMs: options.launchTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    settings: {
      ...(storageState === undefined ? {} : { storageState }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.cookies === undefined ? {} : { cookies: options.cookies }),
      ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
      ...(options.ignoreHttpsErrors === true ? { ignoreHttpsErrors: true } : {}),
    },
  };
}
