import { InvalidArgumentError } from '../core/index.js';
import type { LoginSession } from './auth/index.js';
import type {
  CheckId,
  CheckSettings,
  LinkChecking,
  LinkStatusCache,
  ScreenshotTaker,
} from './checks/index.js';
import { CHECK_IDS, DEFAULT_CHECK_SETTINGS } from './checks/index.js';
import type { BrowserPool } from './browser/index.js';
import type { CrawlProgress, CrawlSnapshot, Discoveries, TestedPage } from './crawl-state.js';
import type { HostPacer } from './politeness.js';
import type { Severity } from './report.js';
import type { CanonicalParamOptions } from './urls/index.js';

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
  /** Query parameters URLs keep or drop beyond the defaults (tracking parameters dropped). */
  readonly params?: CanonicalParamOptions;
  /** More origins, hosts or `*.host` patterns links may lead to. */
  readonly allowOrigins?: readonly string[];
  /** Crawl what robots.txt disallows too, and ignore its `Crawl-delay`. */
  readonly ignoreRobots?: boolean;
  /** Seed the crawl from the sitemaps robots.txt names (or `/sitemap.xml`). */
  readonly sitemap?: boolean;
  /** What every page is tested for. @default every check (`CHECK_IDS`) */
  readonly checks?: readonly CheckId[];
  /** @default DEFAULT_CHECK_SETTINGS */
  readonly checkSettings?: CheckSettings;
  /** Takes the screenshots of the worst findings; none without. */
  readonly screenshots?: ScreenshotTaker;
  /** The screenshot threshold the report records (`run.config.screenshot_on`). @default 'none' without `screenshots` */
  readonly screenshotOn?: Severity | 'none';
  /** Checks the links of tested pages (`broken-link`). @default a `LinkChecker` of the crawl's pacer and scope */
  readonly linkChecker?: LinkChecking;
  /** What link targets answered, shared with other crawls (a batch's): each is asked once for all. */
  readonly linkCache?: LinkStatusCache;
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
    keep_params: options.params?.keepParams ?? [],
    ignore_params: (options.params?.ignoreParams ?? []).map(String),
    ignore_robots: options.ignoreRobots === true,
    sitemap: options.sitemap === true,
    fail_on: failOn,
    checks: options.checks ?? CHECK_IDS,
    budgets: options.checkSettings?.budgets ?? DEFAULT_CHECK_SETTINGS.budgets,
    external_links: options.checkSettings?.externalLinks ?? DEFAULT_CHECK_SETTINGS.externalLinks,
    ignore_console: (options.checkSettings?.ignoreConsole ?? []).map((pattern) => pattern.source),
    screenshot_on: options.screenshotOn ?? 'none',
  };
}

export function checkOptions(options: CrawlOptions): { navigationTimeoutMs: number; failOn: Severity } {
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
