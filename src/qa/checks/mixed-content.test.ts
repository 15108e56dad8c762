import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEVER_ABORTED } from '../../core/index.js';
import { BrowserPool } from '../browser/index.js';
import { consoleErrorCheck } from './console-error.js';
import { failedRequestCheck } from './failed-request.js';
import { checkPage, cleanPage } from './fixtures/check-harness.js';
import { serveHttpsPages, type HttpsPagesSite } from './fixtures/https-pages.js';
import { cleanListenPaths, expectedOverHttps, listenPages, plainMarkup } from './fixtures/listen-pages.js';
import { MAX_MIXED_CONTENT_FINDINGS, mixedContentCheck } from './mixed-content.js';

/** Pages of this test only. */
const pages = {
  ...listenPages,
  // A script's fetch: no element has its URL, the request is all there is.
  '/listen/mixed/fetch': cleanPage(
    'Fetch over http',
    `<script>fetch('http://' + location.host + '/listen/app.css').then((response) => response.text());</script>`,
  ),
  // What a real site's http: resources meet: Chromium blocks active content on a host that is not loopback
  // (192.0.2.1 is TEST-NET-1, never asked: the block comes first), so only the document shows it.
  '/listen/mixed/blocked': cleanPage(
    'Blocked mixed content',
    '<script src="http://192.0.2.1/listen/blocked.js"></script>',
    '<link rel="stylesheet" href="http://192.0.2.1/listen/blocked.css">',
  ),
  '/listen/mixed/many': cleanPage(
    'Many images over http',
    `${plainMarkup(
      Array.from(
        { length: 25 },
        (_, i) => `<img src="PLAIN/listen/pixel.svg?${i}" alt="Pixel ${i}" width="16" height="16">`,
      ).join(''),
    )}${plainMarkup('<form action="PLAIN/listen/subscribe"><button type="submit">Go</button></form>')}`,
  ),
};

let pool: BrowserPool;
let site: HttpsPagesSite;

beforeAll(async () => {
  [pool, site] = await Promise.all([
    BrowserPool.launch({ contexts: 1, ignoreHttpsErrors: true, signal: NEVER_ABORTED }),
    serveHttpsPages(pages),
  ]);
});
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

describe('mixed-content', () => {
  it('gives the planted mixed content of https pages, once each with its element, and nothing clean', async () => {
    const selectors: Record<string, RegExp> = {
      '/listen/active-mixed-content': /^html > body > main > script:nth-of-type\(\d\)$/,
      '/listen/passive-mixed-content': /^#plain-image$/,
      '/listen/insecure-form': /^html > body > main > form$/,
    };
    const targets: Record<string, string> = {
      '/listen/active-mixed-content': '/listen/app.js',
      '/listen/passive-mixed-content': '/listen/pixel.svg',
      '/listen/insecure-form': '/listen/subscribe',
    };
    for (const { path, rule, severity } of expectedOverHttps) {
      const { visit, findings } = await checkPage(pool, `${site.origin}${path}`, [mixedContentCheck]);
      expect(visit.status, path).toBe(200);
      expect(findings, path).toHaveLength(1);
      expect(findings[0]).toMatchObject({ check: 'mixed-content', rule, severity });
      expect(findings[0]?.selector).toMatch(selectors[path]!);
      expect(findings[0]?.message).toContain(`${site.plainOrigin}${targets[path]}`);
      expect(findings[0]?.snippet).toMatch(/^<(script|img|form) /);
    }
    for (const path of cleanListenPaths) {
      const { findings } = await checkPage(pool, `${site.origin}${path}`, [mixedContentCheck]);
      expect(findings, path).toEqual([]);
    }
  });

  it('finds nothing on an http page, whatever it loads', async () => {
    for (const { path } of expectedOverHttps) {
      const { visit, findings } = await checkPage(pool, `${site.plainOrigin}${path}`, [mixedContentCheck]);
      expect(visit.status, path).toBe(200);
      expect(findings, path).toEqual([]);
    }
  });

  it('finds a request no element shows, by its URL', async () => {
    const { findings } = await checkPage(pool, `${site.origin}/listen/mixed/fetch`, [mixedContentCheck]);
    expect(findings).toMatchObject([
      {
        rule: 'active-mixed-content',
        severity: 'high',
        title: 'Active mixed content (fetch)',
        selector: null,
        snippet: `${site.plainOrigin}/listen/app.css`,
      },
    ]);
  });

  it('finds what Chromium blocks, which neither the console nor failed-request reports', async () => {
    const { findings } = await checkPage(pool, `${site.origin}/listen/mixed/blocked`, [
      mixedContentCheck,
      consoleErrorCheck,
      failedRequestCheck,
    ]);
    expect(findings.map(({ check, rule, title }) => [check, rule, title])).toEqual([
      ['mixed-content', 'active-mixed-content', 'Active mixed content (stylesheet)'],
      ['mixed-content', 'active-mixed-content', 'Active mixed content (script)'],
    ]);
  });

  it(`gives at most ${MAX_MIXED_CONTENT_FINDINGS} findings a page, the worst first`, async () => {
    const { findings } = await checkPage(pool, `${site.origin}/listen/mixed/many`, [mixedContentCheck]);
    expect(findings).toHaveLength(MAX_MIXED_CONTENT_FINDINGS);
    expect(findings[0]?.rule).toBe('insecure-form');
    expect(findings.slice(1).every((one) => one.rule === 'passive-mixed-content')).toBe(true);
  });
});
