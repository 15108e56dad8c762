import { setMaxListeners } from 'node:events';
import { Frontier, NEVER_ABORTED, type FrontierEntry } from '../core/index.js';
import { newRecordId } from '../store/index.js';
import type { PageVisit } from './browser/index.js';
import {
  checkOptions,
  crawlConfig,
  MAX_CRAWL_DELAY_S,
  type CrawlOptions,
  type PageOutcome,
} from './crawl-options.js';
import {
  CrawlState,
  noDiscoveries,
  type CrawlProgress,
  type Discoveries,
  type TestedPage,
} from './crawl-state.js';
import { followLinks, visitPolitely } from './crawl-visit.js';
import {
  CHECK_IDS,
  checkFinding,
  DEFAULT_CHECK_SETTINGS,
  LinkChecker,
  PageProbe,
  pageChecks,
} from './checks/index.js';
import { httpStatusFindings } from './http-status.js';
import { HostPacer, readRobots, ROBOTS_USER_AGENT, sitemapUrls } from './politeness.js';
import {
  atLeast,
  countBySeverity,
  groupFindings,
  type Finding,
  type NotTested,
  type PageRecord,
  type QaReport,
} from './report.js';
import { canonicalUrl, createScope, resolveCanonical, type Robots } from './urls/index.js';

/**
 * Crawls breadth-first from `options.urls` with `workers` contexts of one browser, testing each page
 * once (its checks; `broken-link` requests every link of it too, crawled or not), never more than
 * `maxPages`, never deeper than `maxDepth`, navigations and link requests spaced per host, robots.txt
 * respected unless `ignoreRobots`. Resolves with the report, also when stopped through `signal` (then
 * `summary.status` is `interrupted`). With `resume`, goes on from where a stopped crawl of the same
 * options was.
 */
export async function crawl(options: CrawlOptions): Promise<QaReport> {
  const settings = checkOptions(options);
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal ?? NEVER_ABORTED, stop.signal]);
  // Every queued link request and every worker's wait listens to it: many listeners is the design here.
  setMaxListeners(0, signal);
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

  const params = options.params ?? {};
  const enabled = new Set(options.checks ?? CHECK_IDS);
  const inPage = pageChecks(enabled);
  const checkSettings = options.checkSettings ?? DEFAULT_CHECK_SETTINGS;
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
  // The links of every tested page, crawled or not, checked over HTTP in the navigations' turns.
  const links = !enabled.has('broken-link')
    ? undefined
    : (options.linkChecker ??
      new LinkChecker({
        pacer,
        scope,
        externalLinks: checkSettings.externalLinks,
        allowed,
        isLoginPage: (url) => options.login?.isLoginPage(url) === true,
        withAccess: () => options.login !== undefined || options.pool.hasAccess,
        ...(options.linkCache === undefined ? {} : { cache: options.linkCache }),
      }));
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
      const canonical = canonicalUrl(start, params);
      if ('url' in canonical) seeds.push(canonical.url);
    }
    enqueue(seeded, seeds, 0);
    if (options.sitemap === true) {
      const named = [...robots.values()].flatMap((rules) => rules.sitemaps);
      const sitemaps = named.length > 0 ? named : scope.origins.map((origin) => `${origin}/sitemap.xml`);
      const fromSitemaps = (await sitemapUrls(sitemaps, signal)).flatMap((url) => {
        const canonical = canonicalUrl(url, params);
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
    let probe: PageProbe | undefined;
    const newProbe = (): PageProbe =>
      (probe = new PageProbe({
        url: entry.item,
        checks: inPage,
        settings: checkSettings,
        ...(options.screenshots === undefined ? {} : { screenshots: options.screenshots }),
        ...(enabled.has('http-status')
          ? { fromVisit: (visit) => httpStatusFindings(entry.item, visit) }
          : {}),
      }));
    const once = (): Promise<PageVisit> =>
      visitPolitely(options.pool, pacer, entry.item, settings.navigationTimeoutMs, signal, newProbe);
    const visit = await (options.login?.visit(entry.item, once, signal) ?? once());
    if (options.login?.isLoginPage(visit.finalUrl) === true) {
      return { reason: 'redirected to the login page, also after logging in again' };
    }
    const key = resolveCanonical(visit.finalUrl, visit.canonical, { scope, params });
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
    // A page that loaded has its findings from its probe; one that did not, only from the visit.
    const findings: Finding[] =
      probe?.inspected === true
        ? [...probe.findings]
        : enabled.has('http-status')
          ? httpStatusFindings(entry.item, visit)
          : [];
    if (links !== undefined && visit.error === undefined) {
      const found = await links.check(entry.item, visit, signal);
      findings.push(...found.map((one) => checkFinding('broken-link', entry.item, one)));
    }
    const tested: TestedPage = { page, pageKey, findings };
    // Claimed before the links are followed: a link back to this page is known, never queued.
    state.addPage(tested);
    // Redirected out of scope: its links are not ours.
    if (scope.includes(visit.finalUrl))
      followLinks(visit, entry.depth + 1, { scope, params }, enqueue, skip, found);
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
  const { pages } = state;
  const findings = groupFindings(state.findings);
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
