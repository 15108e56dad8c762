import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool } from '../browser/index.js';
import { crawl } from '../crawl.js';
import { cleanPage, servePages, type PagesSite } from './fixtures/check-harness.js';
import { expected, pages } from './fixtures/link-pages.js';

let pool: BrowserPool;
let site: PagesSite;

/** The link pages that are pages (not files, not the log-out link), linked from the home page. */
const PLANTED = Object.keys(pages).filter(
  (path) => !path.startsWith('/links/files/') && path !== '/links/logout' && path !== '/links/moved',
);

beforeAll(async () => {
  const home = cleanPage(
    'Home',
    `<ul>${PLANTED.map((path) => `<li><a href="${path}">${path}</a></li>`).join('')}</ul>
    <p><a href="/links/not-crawled">A page past the budget</a></p>`,
  );
  site = await servePages({ ...pages, '/': home });
  pool = await BrowserPool.launch({ contexts: 2, signal: AbortSignal.timeout(60_000) });
}, 90_000);
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

describe('a crawl with broken-link', () => {
  it('checks the links of every page by default: each planted defect on the page that links to it', async () => {
    const report = await crawl({
      urls: [`${site.origin}/`],
      workers: 2,
      maxPages: 50,
      maxDepth: 2,
      rateLimit: 0,
      pool,
      checks: ['http-status', 'broken-link'],
    });
    // The home page and the 404 page its last link leads to are not planted pages: they are seen below.
    const unplanted = new Set([`${site.origin}/`, `${site.origin}/links/not-crawled`]);
    const found = report.findings
      .filter(({ url }) => !unplanted.has(url))
      .map(({ url, check, rule, severity }) => ({
        path: url.slice(site.origin.length),
        check,
        rule,
        severity,
      }));
    expect(found.sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      [...expected].sort((a, b) => a.path.localeCompare(b.path)),
    );
    // The link to a 404 page is broken on the page that links to it; the 404 page itself is http-status's.
    expect(
      report.findings
        .filter(({ url }) => unplanted.has(url))
        .map(({ url, check, rule }) => [url.slice(site.origin.length), check, rule]),
    ).toEqual([
      ['/', 'broken-link', 'broken-internal'],
      ['/links/not-crawled', 'http-status', '4xx'],
    ]);
    expect(report.findings.find(({ url }) => url === `${site.origin}/links/broken-internal`)).toMatchObject({
      selector: 'a[href="/links/files/missing.pdf"]',
      severity: 'high',
    });
    // A log-out link is never asked for, not even with HEAD; the files are asked for, never visited.
    expect(site.requests.filter((line) => line.endsWith('/links/logout'))).toEqual([]);
    expect(site.requests.filter((line) => line.includes('/links/files/missing.pdf'))).toEqual([
      'HEAD /links/files/missing.pdf',
    ]);
  }, 90_000);

  it('checks the links of a tested page that the page budget leaves uncrawled', async () => {
    site.requests.length = 0;
    const report = await crawl({
      urls: [`${site.origin}/`],
      workers: 1,
      maxPages: 1,
      maxDepth: 2,
      rateLimit: 0,
      pool,
      checks: ['broken-link'],
    });
    expect(report.pages.map(({ url }) => url)).toEqual([`${site.origin}/`]);
    expect(report.not_tested).toContainEqual({
      url: `${site.origin}/links/not-crawled`,
      reason: 'page budget spent (--max-pages 1)',
    });
    expect(report.findings).toMatchObject([
      {
        check: 'broken-link',
        rule: 'broken-internal',
        url: `${site.origin}/`,
        selector: 'a[href="/links/not-crawled"]',
        message: `The link "A page past the budget" (${site.origin}/links/not-crawled) answers 404 (Not Found).`,
      },
    ]);
    // Asked for by the link checker only: the browser never went there.
    expect(site.requests.filter((line) => line.endsWith('/links/not-crawled'))).toEqual([
      'HEAD /links/not-crawled',
    ]);
  }, 90_000);
});
