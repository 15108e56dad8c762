import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { InvalidArgumentError } from '../../core/index.js';
import { firstLine } from './errors.js';

/** Cookies and local storage to start every context with, in Playwright's `storageState` shape. */
export type StorageState = Exclude<BrowserContextOptions['storageState'], string | undefined>;

/** A cookie to add to every context, as Playwright's `addCookies` takes it (`url`, or `domain` and `path`). */
export type BrowserCookie = Parameters<BrowserContext['addCookies']>[0][number];

/** What every context of a pool starts with; a recycled context starts with the same. */
export interface ContextSettings {
  readonly storageState?: StorageState;
  /** Headers sent with every request of the context. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Cookies added after the storage state's. */
  readonly cookies?: readonly BrowserCookie[];
  readonly userAgent?: string;
  /**
   * Accept any TLS certificate (self-signed, expired, for another host). Off by default, as it should
   * be for a crawl of a real site: the tests turn it on to serve https from loopback with a certificate
   * of their own (the `mixed-content` check's).
   */
  readonly ignoreHttpsErrors?: boolean;
}

/**
 * The storage state a pool gives its contexts: the object itself, or the JSON file at a path, read once
 * here so every context (recycled ones too) gets the same state however the file changes later.
 * @throws InvalidArgumentError naming the file when it cannot be read or is not a JSON object with
 *   `cookies` and `origins` lists; never quoting its content (a session's cookies are secrets).
 */
export async function loadStorageState(
  source: string | StorageState | undefined,
  signal: AbortSignal,
): Promise<StorageState | undefined> {
  if (typeof source !== 'string') return source;
  let text: string;
  try {
    text = await readFile(source, { encoding: 'utf8', signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new InvalidArgumentError(`Cannot read the storage state ${source}: ${firstLine(error)}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // V8's message quotes the text it could not parse: the file's cookies, maybe.
    throw new InvalidArgumentError(`The storage state ${source} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`The storage state ${source} is not a JSON object`);
  }
  const { cookies = [], origins = [] } = parsed as { cookies?: unknown; origins?: unknown };
  if (!Array.isArray(cookies) || !Array.isArray(origins)) {
    throw new InvalidArgumentError(
      `The storage state ${source} is not one: its \`cookies\` and \`origins\` must be lists`,
    );
  }
  return {
    ...parsed,
    cookies: cookies as StorageState['cookies'],
    origins: origins as StorageState['origins'],
  };
}

/**
 * A new context of `browser` with `settings`, isolated from every other context (its own cookies,
 * storage and cache). Downloads are refused: a crawler reads pages, it saves no files.
 */
export async function newIsolatedContext(
  browser: Browser,
  settings: ContextSettings,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    acceptDownloads: false,
    ...(settings.storageState === undefined ? {} : { storageState: settings.storageState }),
    ...(settings.headers === undefined ? {} : { extraHTTPHeaders: { ...settings.headers } }),
    ...(settings.userAgent === undefined ? {} : { userAgent: settings.userAgent }),
    ...(settings.ignoreHttpsErrors === true ? { ignoreHTTPSErrors: true } : {}),
  });
  if (settings.cookies !== undefined && settings.cookies.length > 0) {
    try {
      await context.addCookies([...settings.cookies]);
    } catch (error) {
      await context.close().catch(() => undefined);
      if (!browser.isConnected()) throw error;
      throw new InvalidArgumentError(`Cannot add the cookies: ${firstLine(error)}`, { cause: error });
    }
  }
  return context;
}
