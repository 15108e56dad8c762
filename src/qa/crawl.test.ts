import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool } from './browser/index.js';
import type { CrawlOptions } from './crawl-options.js';
import { crawl } from './crawl.js';

/**
 * A small site with the usual traps: duplicate URLs (tracking parameters, fragments), a crawl trap that
 * links ever deeper, external, mailto and logout links, a PDF, a 404, a 500, a page robots.txt disallows.
 */
const PAGES: Record<string, string> = {
  '/': `<a href="/a">a</a> <a href="/a?utm_source=mail&utm_medium=x">a again</a> <a href="/b#top">b</a>
        <a href="/trap/1">trap</a> <a href="http://elsewhere.invalid/">out</a> <a href="mailto:x@y.z">mail</a>
        <a href="/logout">Log out</a> <a href="/guide.pdf">pdf</a> <a href="/missing">missing</a>
        <a href="/error">error</a> <a href="/private/x">private</a>`,
  '/a': `<a href="/">home</a> <a href="/b">b</a>`,
  '/b': `<link rel="canonical" href="/a"> <a href="/">home</a>`,
  '/error': 'boom',
};

interface Hit {
  readonly path: string;
  readonly atMs: number;
}

let server: Server;
let base = '';
let pool: BrowserPool;
const hits: Hit[] = [];
let inFlight = 0;
let peakInFlight = 0;

function page(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', base);
  const path = url.pathname;
  if (path === '/robots.txt') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private\n');
    return;
  }
  if (path === '/favicon.ico') {
    res.writeHead(404).end();
    return;
  }
  hits.push({ path: path + url.search, atMs: performance.now() });
  inFlight++;
  peakInFlight = Math.max(peakInFlight, inFlight);
  const finish = (status: number, body: string, type = 'text/html'): void => {
    setTimeout(() => {
      inFlight--;
      res.writeHead(status, { 'content-type': type }).end(body);
    }, 30);
  };
  const trap = /^\/trap\/(\d+)$/.exec(path);
  if (trap !== null) {
    const n = Number(trap[1]);
    return finish(
      200,
      `<title>trap ${n}</title><a href="/trap/${n + 1}">deeper</a> <a href="/trap/${n + 1}?sid=${n}">same</a>`,
    );
  }
  if (path === '/guide.pdf') return finish(200, '%PDF-1.4', 'application/pdf');
  if (path === '/error') return finish(500, PAGES['/error']!);
  const body = PAGES[path];
  if (body === undefined) return finish(404, '<title>Not found</title>');
  finish(200, `<title>${path}</title>${body}`);
}

beforeAll(async () => {
  server = createServer(page);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = await BrowserPool.launch({ contexts: 4, signal: AbortSignal.timeout(60_000) });
}, 90_000);

afterAll(async () => {
  await pool?.close();
  await new Promise((resolve) => server?.close(resolve));
});

function options(extra: Partial<CrawlOptions> = {}): CrawlOptions {
  hits.length = 0;
  peakInFlight = 0;
  // The navigations alone: broken-link's requests of the links (src/qa/checks/) would be counted too.
  return {
    urls: [`${base}/`],
    workers: 4,
    maxPages: 100,
    maxDepth: 3,
    rateLimit: 0,
    pool,
    checks: ['http-status'],
    ...extra,
  };
}

describe('crawl', () => {
  it('tests each page once, keys duplicates together, and says why the rest was not tested', async () => {
    const report = await crawl(options({ maxDepth: 1 }));
    const tested = report.pages.map((one) => one.url.slice(base.length)).sort();
    expect(tested).toEqual(['/', '/a', '/error', '/missing', '/trap/1'].sort());
    // No URL was requested twice.
    const requested = hits.map((hit) => hit.path);
    expect(new Set(requested).size).toBe(requested.length);
    const reasons = Object.fromEntries(
      report.not_tested.map(({ url, reason }) => [url.replace(base, ''), reason]),
    );
    expect(reasons).toMatchObject({
      'http://elsewhere.invalid/': 'out-of-scope',
      'mailto:x@y.z': 'non-http-scheme',
      '/logout': 'destructive',
      '/guide.pdf': 'non-html',
      '/private/x': 'disallowed by robots.txt',
      '/trap/2': 'deeper than --max-depth 1',
      // /b declares /a its canonical: visited once, and not tested as a page of its own.
      '/b': `same page as ${base}/a (rel=canonical or redirect)`,
    });
    expect(
      report.findings
        .map(({ check, rule, severity, url }) => [check, rule, severity, url.replace(base, '')])
        .sort(),
    ).toEqual([
      ['http-status', '4xx', 'high', '/missing'],
      ['http-status', '5xx', 'critical', '/error'],
    ]);
    expect(report.summary).toMatchObject({
      pages_tested: 5,
      status: 'failed',
      findings_by_severity: { critical: 1, high: 1 },
    });
  }, 60_000);

  it('never tests more pages than --max-pages, however deep the trap', async () => {
    const report = await crawl(options({ urls: [`${base}/trap/1`], maxPages: 5, maxDepth: 50 }));
    expect(report.pages).toHaveLength(5);
    expect(hits).toHaveLength(5);
    expect(report.not_tested.some((one) => one.reason === 'page budget spent (--max-pages 5)')).toBe(true);
  }, 60_000);

  it('has at most --workers navigations in flight, and spaces them per host at --rate-limit', async () => {
    const wide = await crawl(options({ workers: 2 }));
    expect(wide.pages.length).toBeGreaterThan(4);
    expect(peakInFlight).toBeLessThanOrEqual(2);

    const polite = await crawl(
      options({ urls: [`${base}/trap/1`], maxPages: 6, maxDepth: 10, rateLimit: 5 }),
    );
    expect(polite.pages).toHaveLength(6);
    // 5 per second: the turns are 200 ms apart. What the server sees adds the jitter of opening a page
    // after the turn, so each gap is over 200 ms less that jitter, and the whole span over 5 turns.
    const gaps = hits.slice(1).map((hit, index) => hit.atMs - hits[index]!.atMs);
    for (const gap of gaps) expect(gap).toBeGreaterThan(100);
    expect(hits.at(-1)!.atMs - hits[0]!.atMs).toBeGreaterThan(5 * 200 - 100);
  }, 60_000);

  it('stops on abort with the pages tested so far, as interrupted', async () => {
    const controller = new AbortController();
    const report = await crawl(
      options({
        urls: [`${base}/trap/1`],
        maxPages: 50,
        maxDepth: 50,
        workers: 1,
        signal: controller.signal,
        observer: { pageFinished: (done) => done.url.endsWith('/trap/3') && controller.abort() },
      }),
    );
    expect(report.summary.status).toBe('interrupted');
    // Breadth-first: /trap/2 and /trap/2?sid=1 (a query that means something is kept) before /trap/3.
    expect(report.pages.map((one) => one.url.slice(base.length))).toEqual([
      '/trap/1',
      '/trap/2',
      '/trap/2?sid=1',
      '/trap/3',
    ]);
    expect(report.not_tested.some((one) => one.reason === 'the crawl was stopped first')).toBe(true);
  }, 60_000);

  it('keeps the query parameters it is told to keep, and drops the ones it is told to ignore', async () => {
    const kept = await crawl(options({ maxDepth: 1, params: { keepParams: ['utm_source'] } }));
    const keptPaths = kept.pages.map((one) => one.url.slice(base.length));
    // utm_source kept (utm_medium still dropped): a page of its own.
    expect(keptPaths).toContain('/a?utm_source=mail');
    expect(kept.run.config).toMatchObject({ keep_params: ['utm_source'] });

    const trap = await crawl(
      options({ urls: [`${base}/trap/1`], maxDepth: 3, params: { ignoreParams: ['sid'] } }),
    );
    // Without sid, /trap/N?sid=… is /trap/N: each depth has one page, not two.
    expect(trap.pages.map((one) => one.url.slice(base.length))).toEqual([
      '/trap/1',
      '/trap/2',
      '/trap/3',
      '/trap/4',
    ]);
  }, 60_000);

  it('names a bad option and starts nothing', async () => {
    await expect(crawl(options({ workers: 17 }))).rejects.toThrow(
      'workers: expected an integer from 1 to 16, got 17',
    );
    expect(hits).toHaveLength(0);
  });
});
