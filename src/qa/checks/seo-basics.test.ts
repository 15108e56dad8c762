import { describe, expect, it } from 'vitest';
import { useCheckSite, type CheckedPage } from './fixtures/check-harness.js';
import { domCleanPaths, domHtmlPaths, domPages, expectedLines, foundLines } from './fixtures/dom-pages.js';
import { seoBasicsCheck } from './seo-basics.js';

/** A page with none of the four, beside the area's pages that each miss one. */
const BARE = '<!doctype html><html><body><p>Nothing but text.</p></body></html>';

const site = useCheckSite({ ...domPages, '/seo/bare': BARE });

function check(path: string): Promise<CheckedPage> {
  return site.check(path, [seoBasicsCheck]);
}

describe('seo-basics', () => {
  it('finds each missing basic once, with no selector, and nothing else on any page', async () => {
    for (const path of domHtmlPaths) {
      const { findings } = await check(path);
      expect(foundLines(findings, path, 'seo-basics'), path).toEqual(expectedLines(path, 'seo-basics'));
      for (const one of findings) expect(one.selector, path).toBeNull();
    }
  }, 60_000);

  it('gives no finding on the clean pages', async () => {
    for (const path of domCleanPaths) expect((await check(path)).findings, path).toEqual([]);
  });

  it('gives one finding per rule on a page missing all four, each its own fingerprint', async () => {
    const { findings } = await check('/seo/bare');
    expect(findings.map(({ rule, severity }) => [rule, severity])).toEqual([
      ['missing-title', 'medium'],
      ['missing-lang', 'low'],
      ['missing-h1', 'low'],
      ['missing-description', 'low'],
    ]);
    expect(new Set(findings.map((one) => one.fingerprint)).size).toBe(4);
    expect(findings[0]).toMatchObject({ check: 'seo-basics', title: 'Page without a title', snippet: null });
  });
});
