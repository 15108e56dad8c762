import { Frontier, InvalidArgumentError, NEVER_ABORTED, type FrontierEntry } from '../core/index.js';
import { newRecordId } from '../store/index.js';
import type { LoginSession } from './auth/index.js';
import { visitPage, type BrowserPool, type PageVisit } from './browser/index.js';
import { httpStatusFindings } from './http-status.js';
import { HostPacer, readRobots, retryAfterMs, ROBOTS_USER_AGENT, sitemapUrls } from './politeness.js';
import {
  CrawlState,
  noDiscoveries,
  type CrawlProgress,
  type CrawlSnapshot,
  type Discoveries,
  type TestedPage,
} from './crawl-state.js';
import {
  atLeast,
  countBySeverity,
  type NotTested,
  type PageRecord,
  type QaReport,
  type Severity,
} from './report.js';
import {
  canonicalUrl,
  classifyLink,
  createScope,
  resolveCanonical,
  type Robots,
  type Scope,
} from './urls/index.js';

/** The most workers (browser contexts) one crawl may have. */
export const MAX_WORKERS = 16;
/** The longest `Crawl-delay` honoured: a site asking for more is still crawled, this slowly. */
export const MAX_CRAWL_DELAY_S = 30;
/** How long a page may take to load, by default. */
export const DEFAULT_NAVIGATION_TIMEOUT_MS = 30_000;

/** What to crawl and how. */
export interface CrawlOptions {
  /** Start URLs (http or https); their origins are the crawl's scope. */
  readonly urls: readonly string[];
  /** Pages tested at once, each in its own browser context (1–16). */
  readonly workers: number;
  /** Pages tested at most: exact, never exceeded. */
  readonly maxPages: number;
  /** Links followed from a start URL (0: the start pages only). */
  readonly maxDepth: number;
  /** Navigations per second to one host, shared by every worker (0: no spacing). */
  readonly rateLimit: number;
  /** More origins, hosts or `*.host` patterns links may lead to. */
  readonly allowOrigins?: readonly string[];
  /** Crawl what robots.txt disallows too, and ignore its `Crawl-delay`. */
  readonly ignoreRobots?: boolean;
  /** Seed the crawl from the sitemaps robots.txt names (or `/sitemap.xml`). */
  readonly sitemap?: boolean;
  /** Findings at this severity or worse make the run `failed`. @default 'high' */
  readonly failOn?: Severity;
  /** @default DEFAULT_NAVIGATION_TIMEOUT_MS */
  readonly navigationTimeoutMs?: number;
  /** The one browser whose contexts the workers use. */
  readonly pool: BrowserPool;
  /** The contexts' login: a page that sends back to its (untested) login page is retried after one re-login. */
  readonly login?: LoginSession;
  /** Spacing shared with other crawls (a batch); @default one of this crawl's own, at `rateLimit` */
  readonly pacer?: HostPacer;
  /** Aborting it stops the crawl: the report so far comes back, `interrupted`. */
  readonly signal?: AbortSignal;
  readonly observer?: CrawlObserver;
  /** Goes on from where a stopped crawl with the same options was, instead of starting from `urls`. */
  readonly resume?: CrawlSnapshot;
  readonly id?: string;
  /** When the run began, for the report (a resumed run's first start). @default now */
  readonly startedAt?: string;
}

/** A claimed URL, finished: tested (with its page and findings) or not (with the reason), and its links. */
export interface PageOutcome {
  readonly worker: number;
  readonly url: string;
  readonly depth: number;
  /** The page and its findings, when it was tested. */
  readonly tested?: TestedPage;
  /** Why it was not tested, otherwise (the same page as another, a visit that failed). */
  readonly reason?: string;
  /** The links it queued and left out. */
  readonly discoveries: Discoveries;
  /** Where the crawl stands with this page counted. */
  readonly progress: CrawlProgress;
}

/**
 * Told about the crawl as it goes. A journal writes each call as one unit: `seeded` once before the first
 * page (not when resuming), then `pageFinished` for each claimed URL with the links it found, so a crawl
 * stopped anywhere resumes without losing a link or testing a page twice. A callback that throws (a write
 * that failed) stops the crawl: `crawl` rejects with that error.
 */
export interface CrawlObserver {
  seeded?(discoveries: Discoveries): void;
  pageStarted?(worker: number, url: string, progress: CrawlProgress): void;
  pageFinished?(outcome: PageOutcome): void;
}

/**
 * Crawls breadth-first from `options.urls` with `workers` contexts of one browser, testing each page
 * once (`http-status` for now), never more than `maxPages`, never deeper than `maxDepth`, navigations
 * spaced per host, robots.txt respected unless `ignoreRobots`. Resolves with the report, also when
 * stopped through `signal` (then `summary.status` is `interrupted`). With `resume`, goes on from where
 * a stopped crawl of the same options was.
 */
export async function crawl(options: CrawlOptions): Promise<QaReport> {
  const settings = checkOptions(options);
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal ?? NEVER_ABORTED, stop.signal]);
  let fatal: { error: unknown } | undefined;
  const failWith = (error: unknown): void => {
    fatal ??= { error };
    stop.abort(error);
  };
  const scope = createScope(options.urls, options.allowOrigins ?? []);
  const startedAt = options.startedAt ?? new Date().toISOString();
  const pacer = options.pacer ?? new HostPacer(options.rateLimit);
  const robots =
    options.ignoreRobots === true ? new Map<string, Robots>() : await readRobots(scope.origins, signal);
  if (options.ignoreRobots !== true) {
    for (const [origin, rules] of robots) {
      const delay = rules.crawlDelayS(ROBOTS_USER_AGENT);
      if (delay !== undefined) pacer.crawlDelay(new URL(origin).host, Math.min(delay, MAX_CRAWL_DELAY_S));
    }
  }

  const state = new CrawlState(options.resume);
  const frontier = new Frontier<string>({
    maxItems: Math.max(0, options.maxPages - state.claimedBefore),
    maxDepth: options.maxDepth,
  });
  const allowed = (url: string): boolean => {
    if (options.ignoreRobots === true) return true;
    const rules = robots.get(new URL(url).origin);
    return rules === undefined || rules.isAllowed(url, ROBOTS_USER_AGENT);
  };
  const skip = (found: Discoveries, url: string, reason: string): void => {
    if (state.skip(url, reason)) found.skipped.push({ url, reason });
  };
  const enqueue = (found: Discoveries, urls: readonly string[], depth: number): void => {
    const fresh: string[] = [];
    for (const url of urls) {
      if (state.knows(url)) continue;
      if (options.login?.isLoginPage(url) === true) skip(found, url, 'login page');
      else if (!allowed(url)) skip(found, url, 'disallowed by robots.txt');
      else fresh.push(url);
    }
    if (depth > options.maxDepth) {
      for (const url of fresh) skip(found, url, `deeper than --max-depth ${options.maxDepth}`);
      return;
    }
    for (const url of new Set(fresh)) {
      state.know(url); // seen deeper first (a slow page) and listed, reached within the depth now
      found.queued.push({ url, depth });
    }
    frontier.add(fresh, depth);
  };
  const progress = (): CrawlProgress => {
    const stats = frontier.stats;
    return state.progress(stats.queued, stats.inFlight);
  };

  if (options.resume === undefined) {
    const seeded = noDiscoveries();
    const seeds: string[] = [];
    for (const start of options.urls) {
      const canonical = canonicalUrl(start);
      if ('url' in canonical) seeds.push(canonical.url);
    }
    enqueue(seeded, seeds, 0);
    if (options.sitemap === true) {
      const named = [...robots.values()].flatMap((rules) => rules.sitemaps);
      const sitemaps = named.length > 0 ? named : scope.origins.map((origin) => `${origin}/sitemap.xml`);
      const fromSitemaps = (await sitemapUrls(sitemaps, signal)).flatMap((url) => {
        const canonical = canonicalUrl(url);
        return 'url' in canonical && scope.includes(canonical.url) ? [canonical.url] : [];
      });
      enqueue(seeded, fromSitemaps, Math.min(1, options.maxDepth));
    }
    options.observer?.seeded?.(seeded);
  } else {
    // In the order first seen, depth by depth: the breadth-first order the crawl had.
    const depths = [...new Set(options.resume.queued.map((entry) => entry.depth))].sort((a, b) => a - b);
    for (const depth of depths) {
      const urls = options.resume.queued.filter((entry) => entry.depth === depth).map((entry) => entry.url);
      frontier.add(urls, depth);
    }
  }

  const testPage = async (
    worker: number,
    entry: FrontierEntry<string>,
    found: Discoveries,
  ): Promise<Pick<PageOutcome, 'tested' | 'reason'>> => {
    options.observer?.pageStarted?.(worker, entry.item, progress());
    const once = (): Promise<PageVisit> =>
      visitPolitely(options.pool, pacer, entry.item, settings.navigationTimeoutMs, signal);
    const visit = await (options.login?.visit(entry.item, once, signal) ?? once());
    if (options.login?.isLoginPage(visit.finalUrl) === true) {
      return { reason: 'redirected to the login page, also after logging in again' };
    }
    const key = resolveCanonical(visit.finalUrl, visit.canonical, { scope });
    const pageKey = 'url' in key ? key.url : entry.item;
    const twin = state.testedKeys.get(pageKey);
    if (twin !== undefined && twin !== entry.item) {
      return { reason: `same page as ${twin} (rel=canonical or redirect)` };
    }
    const page: PageRecord = {
      url: entry.item,
      status: visit.status,
      depth: entry.depth,
      load_ms: visit.loadMs === null ? null : Math.round(visit.loadMs),
      title: visit.title,
      ...(visit.finalUrl === entry.item ? {} : { final_url: visit.finalUrl }),
    };
    const tested: TestedPage = { page, pageKey, findings: httpStatusFindings(entry.item, visit) };
    // Claimed before the links are followed: a link back to this page is known, never queued.
    state.addPage(tested);
    // Redirected out of scope: its links are not ours.
    if (scope.includes(visit.finalUrl)) followLinks(visit, entry.depth + 1, scope, enqueue, skip, found);
    return { tested };
  };

  const worker = async (index: number): Promise<void> => {
    for (;;) {
      let entry: FrontierEntry<string> | undefined;
      try {
        entry = await frontier.claim(signal);
      } catch {
        return; // stopped
      }
      if (entry === undefined) return;
      const found = noDiscoveries();
      let result: Pick<PageOutcome, 'tested' | 'reason'>;
      try {
        result = await testPage(index, entry, found);
      } catch (error) {
        if (signal.aborted) {
          frontier.complete(entry);
          return; // left queued: a resumed crawl tests it
        }
        result = { reason: `not tested: ${error instanceof Error ? error.message : String(error)}` };
      }
      if (result.reason !== undefined) state.notTested.set(entry.item, result.reason);
      frontier.complete(entry);
      try {
        options.observer?.pageFinished?.({
          worker: index,
          url: entry.item,
          depth: entry.depth,
          ...result,
          discoveries: found,
          progress: progress(),
        });
      } catch (error) {
        failWith(error);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, index) => worker(index)));
  if (fatal !== undefined) throw fatal.error;

  const stopped = options.signal?.aborted === true;
  const notTested = new Map(state.notTested);
  for (const entry of frontier.unclaimed()) {
    notTested.set(
      entry.item,
      stopped ? 'the crawl was stopped first' : `page budget spent (--max-pages ${options.maxPages})`,
    );
  }
  const { pages, findings } = state;
  const bySeverity = countBySeverity(findings);
  const failed = findings.some((one) => atLeast(one.severity, settings.failOn));
  const notTestedList: NotTested[] = [...notTested].map(([url, reason]) => ({ url, reason }));
  return {
    run: {
      id: options.id ?? newRecordId('qa'),
      started_at: startedAt,
      finished_at: new Date().toISOString(),
      config: crawlConfig(options, settings.failOn),
    },
    summary: {
      pages_tested: pages.length,
      pages_not_tested: notTestedList.length,
      findings_by_severity: bySeverity,
      status: stopped ? 'interrupted' : failed ? 'failed' : 'passed',
    },
    pages,
    not_tested: notTestedList,
    findings,
  };
}

/** The settings of a crawl as its report records them (`run.config`). */
export function crawlConfig(
  options: Omit<CrawlOptions, 'pool'>,
  failOn: Severity = options.failOn ?? 'high',
): Record<string, unknown> {
  return {
    urls: options.urls,
    workers: options.workers,
    max_pages: options.maxPages,
    max_depth: options.maxDepth,
    rate_limit: options.rateLimit,
    allow_origins: options.allowOrigins ?? [],
    ignore_robots: options.ignoreRobots === true,
    sitemap: options.sitemap === true,
    fail_on: failOn,
  };
}

/** One page in a context of the pool, its host's turn awaited; a 429 or 503 is tried once more after its `Retry-After`. */
async function visitPolitely(
  pool: BrowserPool,
  pacer: HostPacer,
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PageVisit> {
  const host = new URL(url).host;
  for (let attempt = 1; ; attempt++) {
    // The context first, then the host's turn: the navigation follows its turn as closely as it can.
    const lease = await pool.acquire(signal);
    let visit: PageVisit;
    try {
      await pacer.acquire(host, signal);
      visit = await visitPage(lease.context, url, {
        timeoutMs,
        signal: AbortSignal.any([signal, lease.signal]),
      });
    } finally {
      pool.release(lease);
    }
    const busy = visit.status === 429 || visit.status === 503;
    if (!busy || attempt === 2) return visit;
    await pacer.backoff(host, retryAfterMs(visit.retryAfter) ?? 2_000, signal);
  }
}

/** Queues the in-scope links of a page at `depth`, and records why the others are skipped, in `found`. */
function followLinks(
  visit: PageVisit,
  depth: number,
  scope: Scope,
  enqueue: (found: Discoveries, urls: readonly string[], depth: number) => void,
  skip: (found: Discoveries, url: string, reason: string) => void,
  found: Discoveries,
): void {
  const follow: string[] = [];
  for (const link of visit.links) {
    const decision = classifyLink(link.href, {
      pageUrl: visit.finalUrl,
      scope,
      text: link.text,
      ...(link.dataMethod === undefined ? {} : { method: link.dataMethod }),
    });
    if (decision.kind === 'follow') follow.push(decision.url);
    else skip(found, decision.url ?? link.href, decision.reason);
  }
  enqueue(found, follow, depth);
}

function checkOptions(options: CrawlOptions): { navigationTimeoutMs: number; failOn: Severity } {
  const whole = (name: string, value: number, min: number, max = Infinity): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`${name}: expected an integer ${range}, got ${value}`);
    }
  };
  if (options.urls.length === 0) throw new InvalidArgumentError('urls: expected at least one start URL');
  whole('workers', options.workers, 1, MAX_WORKERS);
  whole('max_pages', options.maxPages, 1);
  whole('max_depth', options.maxDepth, 0);
  if (!(options.rateLimit >= 0)) {
    throw new InvalidArgumentError(
      `rate_limit: expected a number of navigations per second ≥ 0, got ${options.rateLimit}`,
    );
  }
  return {
    navigationTimeoutMs: options.navigationTimeoutMs ?? DEFAULT_NAVIGATION_TIMEOUT_MS,
    failOn: options.failOn ?? 'high',
  };
}
