import { KeyedRateLimiter, sleep } from '../core/index.js';
import { parseRobots, parseSitemap, type Robots } from './urls/index.js';

/** The product token the crawler matches robots.txt groups with, and sends in its user agent. */
export const ROBOTS_USER_AGENT = 'FlotillaQA';
/**
 * The user agent of every request the crawler makes itself (robots.txt, sitemaps, link checks): one
 * identity a site's operator can match, with the token robots.txt groups are matched by.
 */
export const CRAWLER_USER_AGENT = `Mozilla/5.0 (compatible; ${ROBOTS_USER_AGENT})`;
/** How long fetching a robots.txt or a sitemap may take. */
const FETCH_TIMEOUT_MS = 10_000;
/** The longest wait a `Retry-After` may ask for before the page is given up. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Options of a `HostPacer`. */
export interface HostPacerOptions {
  /**
   * A pacer shared with other crawls (a server's, a batch's). Each navigation waits for its host's turn
   * here, then there; a `Crawl-delay` and a `Retry-After` reach it too, so they hold back every crawl
   * that shares it. The crawls of one `flotilla serve` share one, at `qa.rate_limit`.
   */
  readonly within?: HostPacer;
}

/**
 * Navigations per host, spaced out: every worker (and every crawl of a batch or a server, when they
 * share one through `within`) goes through `acquire(host)`. `ratePerSecond` 0 disables spacing; a
 * host's `Crawl-delay` slows that host further; `backoff` honours a 429 or 503's `Retry-After`.
 */
export class HostPacer {
  readonly #limiter: KeyedRateLimiter | undefined;
  readonly #slow = new Map<string, { readonly seconds: number; readonly limiter: KeyedRateLimiter }>();
  readonly #within: HostPacer | undefined;

  constructor(ratePerSecond: number, options: HostPacerOptions = {}) {
    this.#limiter = ratePerSecond > 0 ? new KeyedRateLimiter({ ratePerSecond }) : undefined;
    this.#within = options.within;
  }

  /**
   * Slows `host` to one navigation every `seconds` (a robots.txt `Crawl-delay`), if that is slower. The
   * same delay given again (every crawl of a shared pacer reads robots.txt) keeps the spacing so far.
   */
  crawlDelay(host: string, seconds: number): void {
    if (!(seconds > 0)) return;
    if (this.#slow.get(host)?.seconds !== seconds) {
      this.#slow.set(host, { seconds, limiter: new KeyedRateLimiter({ ratePerSecond: 1 / seconds }) });
    }
    this.#within?.crawlDelay(host, seconds);
  }

  /** Waits for `host`'s next turn (here, then in the shared pacer). */
  async acquire(host: string, signal: AbortSignal): Promise<void> {
    const slow = this.#slow.get(host);
    if (slow !== undefined) await slow.limiter.acquire(host, signal);
    if (this.#limiter !== undefined) await this.#limiter.acquire(host, signal);
    if (this.#within !== undefined) await this.#within.acquire(host, signal);
  }

  /**
   * Holds every navigation to `host` back for `ms` (a `Retry-After`), here and in the shared pacer;
   * where nothing spaces that host, waits the time out itself.
   */
  async backoff(host: string, ms: number, signal: AbortSignal): Promise<void> {
    if (!this.#holdBack(host, ms)) await sleep(ms, signal);
  }

  /** Pushes `host` back in every limiter that spaces it; whether one did. */
  #holdBack(host: string, ms: number): boolean {
    let held = false;
    for (const limiter of [this.#limiter, this.#slow.get(host)?.limiter]) {
      if (limiter === undefined) continue;
      limiter.backoff(host, ms);
      held = true;
    }
    const within = this.#within;
    return (within !== undefined && within.#holdBack(host, ms)) || held;
  }
}

/** Fetches a small text resource (robots.txt, a sitemap); `null` for anything but a 2xx. */
async function fetchText(url: string, signal: AbortSignal): Promise<string | null> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
      headers: { 'user-agent': CRAWLER_USER_AGENT },
      redirect: 'follow',
    });
    if (!response.ok) return null;
    return await response.text();
  } catch (error) {
    if (signal.aborted) throw error;
    return null;
  }
}

/** Each origin's robots.txt (absent or unreadable: allow everything). */
export async function readRobots(
  origins: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, Robots>> {
  const found = new Map<string, Robots>();
  for (const origin of origins) {
    const url = `${origin}/robots.txt`;
    const text = await fetchText(url, signal);
    if (text !== null) found.set(origin, parseRobots(text, { url }));
  }
  return found;
}

/**
 * The page URLs of the sitemaps named: a sitemap index is followed one level (at most `maxFiles` files),
 * a sitemap that cannot be read or parsed is skipped.
 */
export async function sitemapUrls(
  sitemaps: readonly string[],
  signal: AbortSignal,
  maxFiles = 20,
): Promise<string[]> {
  const urls: string[] = [];
  const queue = [...sitemaps];
  for (let files = 0; queue.length > 0 && files < maxFiles; files++) {
    const text = await fetchText(queue.shift()!, signal);
    if (text === null) continue;
    try {
      const sitemap = parseSitemap(text);
      if ('urls' in sitemap) urls.push(...sitemap.urls);
      else queue.push(...sitemap.sitemaps);
    } catch {
      // Not a sitemap: nothing to seed from it.
    }
  }
  return urls;
}

/** Milliseconds a `Retry-After` value asks for (seconds, or an HTTP date), within `MAX_RETRY_AFTER_MS`. */
export function retryAfterMs(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - nowMs;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
