/**
 * One crawl of the qa bench in a process of its own, so that the memory of one crawler never counts for the
 * other: `node --import tsx bench/qa-crawler.ts flotilla|flotilla-checks|crawlee URL PAGES CONCURRENCY`. Prints one JSON
 * line (`CrawlerResult`) on stdout. Each crawler's modules are imported only in its own process. The clock
 * starts before the browser is launched (after the modules are imported) and stops once the crawl is over and
 * the browser closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../src/qa/browser/launch.js';

/** What one crawl reports to the bench. */
export interface CrawlerResult {
  /** Pages the crawler itself says it crawled (handled). */
  readonly pages: number;
  /** Of them, pages whose status was not 200. */
  readonly failed: number;
  /** Wall time from before the browser launch to the browser closed. */
  readonly ms: number;
  /** Findings of the report (Flotilla's crawls only). */
  readonly findings?: number;
}

/** The same Chromium flags for both: Flotilla's own, less `--headless`, which Crawlee gets as `headless: true`. */
const ARGS = CHROMIUM_FLAGS.filter((flag) => flag !== '--headless');

/**
 * Flotilla's crawl with `http-status` only (a visit of each page, what Crawlee's crawl does too), or with
 * `all` its default checks (`flotilla-checks`: axe-core, the Tab walk, the link checks, …).
 */
async function flotilla(
  url: string,
  maxPages: number,
  workers: number,
  checks: 'http-status' | 'all' = 'http-status',
): Promise<CrawlerResult> {
  const { BrowserPool, CHECK_IDS, crawl, DEFAULT_CHECK_SETTINGS } = await import('../src/qa/index.js');
  const start = performance.now();
  const pool = await BrowserPool.launch({ contexts: workers, signal: new AbortController().signal });
  let report;
  try {
    report = await crawl({
      urls: [url],
      workers,
      maxPages,
      maxDepth: 1_000,
      rateLimit: 0,
      ignoreRobots: true,
      pool,
      checks: checks === 'all' ? CHECK_IDS : ['http-status'],
      checkSettings: DEFAULT_CHECK_SETTINGS,
    });
  } finally {
    await pool.close();
  }
  return {
    pages: report.summary.pages_tested,
    failed: report.pages.filter((page) => page.status !== 200).length,
    ms: performance.now() - start,
    findings: report.findings.length,
  };
}

/**
 * Crawlee's PlaywrightCrawler, set up to do what Flotilla does and nothing more (each setting is explained
 * in docs/qa.md, "Speed"): the same Chromium and flags, a fixed concurrency, the same budget, no sessions,
 * no fingerprints, one browser for the whole crawl, storage in memory only, logs at warnings.
 */
async function crawlee(url: string, maxPages: number, concurrency: number): Promise<CrawlerResult> {
  const { Configuration, log, PlaywrightCrawler } = await import('@crawlee/playwright');
  const { chromium } = await import('playwright-core');
  const { findChromium } = await import('../src/qa/browser/find-chromium.js');
  log.setLevel(log.LEVELS.WARNING);
  const storage = mkdtempSync(join(tmpdir(), 'flotilla-bench-crawlee-'));
  const start = performance.now();
  try {
    let pages = 0;
    let failed = 0;
    const crawler = new PlaywrightCrawler(
      {
        launchContext: {
          launcher: chromium,
          launchOptions: { executablePath: findChromium(), headless: true, args: ARGS },
        },
        minConcurrency: concurrency,
        maxConcurrency: concurrency,
        autoscaledPoolOptions: { desiredConcurrency: concurrency },
        maxRequestsPerCrawl: maxPages,
        navigationTimeoutSecs: 30,
        useSessionPool: false,
        persistCookiesPerSession: false,
        browserPoolOptions: { useFingerprints: false, retireBrowserAfterPageCount: maxPages * 10 },
        requestHandler: async ({ page, response, enqueueLinks }) => {
          // Crawlee's types name the `playwright` package, not installed here; playwright-core's are the same.
          pages++;
          if ((response as Response | null | undefined)?.status() !== 200) failed++;
          await (page as Page).title(); // Flotilla reads the title (and the canonical link) of every page too
          await enqueueLinks({ strategy: 'same-origin' });
        },
      },
      new Configuration({ persistStorage: false, storageClientOptions: { localDataDirectory: storage } }),
    );
    await crawler.run([url]);
    return { pages, failed, ms: performance.now() - start };
  } finally {
    rmSync(storage, { recursive: true, force: true });
  }
}

const [name, url, pages, concurrency] = process.argv.slice(2);
if (url === undefined || pages === undefined || concurrency === undefined) {
  throw new Error('usage: qa-crawler.ts flotilla|flotilla-checks|crawlee URL PAGES CONCURRENCY');
}
const run =
  name === 'flotilla'
    ? flotilla
    : name === 'flotilla-checks'
      ? (url: string, pages: number, workers: number) => flotilla(url, pages, workers, 'all')
      : name === 'crawlee'
        ? crawlee
        : undefined;
if (run === undefined) throw new Error(`qa-crawler.ts: no crawler named ${name}`);
const result = await run(url, Number(pages), Number(concurrency));
process.stdout.write(`${JSON.stringify(result)}\n`);
