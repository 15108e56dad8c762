import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool } from '../browser/index.js';
import { brokenLinkCheck } from './broken-link.js';
import { checkPage, cleanPage, servePages, type PagesSite } from './fixtures/check-harness.js';
import { expected, pages } from './fixtures/link-pages.js';

let pool: BrowserPool;
let site: PagesSite;

/** Anchors every way a page may write them. */
const ANCHORS = cleanPage(
  'Anchors',
  `<p><a href="#gone">Gone</a> <a href="#gone">Gone again</a> <a href="/anchors#also-gone">Also gone</a>
  <a href="#there">There</a> <a href="/anchors#there">There too</a>
  <a href="#%C3%BCber">Über, encoded</a> <a href="#named">Named</a> <a href="#TOP">Top</a> <a href="#">Up</a>
  <a href="#!/route">Route</a> <a href="/elsewhere#gone-elsewhere">Another page</a>
  <a href="#in-template">In a template</a> <a href="#a&quot;b">Quoted</a></p>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" usemap="#map" alt="A map">
  <map name="map"><area href="#area-gone" alt="Region" shape="rect" coords="0,0,1,1"></map>
  <h2 id="there">There</h2><h2 id="über">Über</h2><p><a name="named">Named</a></p>
  <template><p id="in-template">Not in the document</p></template>`,
);

/** A page whose `<base href>` is another page: its `#x` links lead there, not to a place of its own. */
const BASED = cleanPage('Based', '<p><a href="#nothing-here">Elsewhere</a></p>', '<base href="/elsewhere">');

beforeAll(async () => {
  site = await servePages({ ...pages, '/anchors': ANCHORS, '/based': BASED });
  pool = await BrowserPool.launch({ contexts: 1, signal: AbortSignal.timeout(60_000) });
}, 90_000);
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

describe('broken-link in the page (broken-anchor)', () => {
  it('finds the planted missing anchor of the link pages, and nothing on the clean ones', async () => {
    for (const path of ['/links/clean', '/links/target', '/links/broken-anchor']) {
      const { findings } = await checkPage(pool, `${site.origin}${path}`, [brokenLinkCheck]);
      const want = expected.filter((one) => one.path === path && one.rule === 'broken-anchor');
      expect(findings.map(({ check, rule, severity }) => ({ path, check, rule, severity }))).toEqual(want);
    }
  }, 60_000);

  it('reports each missing fragment of the same document once, with the link as written', async () => {
    const { findings } = await checkPage(pool, `${site.origin}/anchors`, [brokenLinkCheck]);
    expect(findings.map(({ selector }) => selector)).toEqual([
      'a[href="#gone"]',
      'a[href="/anchors#also-gone"]',
      'a[href="#in-template"]',
      'a[href="#a\\"b"]',
      'area[href="#area-gone"]',
    ]);
    expect(findings[0]).toMatchObject({
      check: 'broken-link',
      rule: 'broken-anchor',
      severity: 'medium',
      title: 'Link to a missing anchor',
      message:
        'The link "Gone" points at #gone of this page, but no element has the id "gone" (nor is there an <a name="gone">): following it goes nowhere.',
      snippet: '<a href="#gone">Gone</a>',
      url: `${site.origin}/anchors`,
    });
    expect(findings[4]).toMatchObject({ snippet: '<area href="#area-gone">' });
  }, 60_000);

  it('leaves a fragment that resolves to another document alone (a <base href> elsewhere)', async () => {
    const { findings } = await checkPage(pool, `${site.origin}/based`, [brokenLinkCheck]);
    expect(findings).toEqual([]);
  }, 60_000);
});
