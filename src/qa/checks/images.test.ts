import { describe, expect, it } from 'vitest';
import { useCheckSite, type CheckedPage } from './fixtures/check-harness.js';
import { domCleanPaths, domHtmlPaths, domPages, expectedLines, foundLines } from './fixtures/dom-pages.js';
import { imagesCheck } from './images.js';

const site = useCheckSite(domPages);

function check(path: string): Promise<CheckedPage> {
  return site.check(path, [imagesCheck]);
}

describe('images', () => {
  it('finds each broken image with its selector, and nothing else on any page', async () => {
    for (const path of domHtmlPaths) {
      const { findings } = await check(path);
      expect(foundLines(findings, path, 'images'), path).toEqual(expectedLines(path, 'images'));
    }
  }, 60_000);

  it('names the image, its answer and its URL as the subject', async () => {
    const { findings } = await check('/dom/images-broken');
    expect(findings).toMatchObject([
      {
        check: 'images',
        rule: 'broken-image',
        severity: 'medium',
        title: 'Broken image',
        message: `The image ${site.origin}/dom/missing.png did not load (it answered 404): the page shows an empty box or its alt text instead.`,
        snippet: '<img id="missing" src="/dom/missing.png" alt="A missing photo">',
      },
      {
        // It answered 200 with something that is no image.
        message: expect.stringMatching(
          new RegExp(`^The image ${site.origin}/dom/not-an-image.png did not load`),
        ) as string,
        selector: 'body > main > img:nth-of-type(2)',
      },
    ]);
    // Two broken images of one page are two findings.
    expect(new Set(findings.map((one) => one.fingerprint)).size).toBe(2);
  });

  it('gives no finding on the clean pages, and leaves a lazy image the browser never fetched alone', async () => {
    for (const path of domCleanPaths) expect((await check(path)).findings, path).toEqual([]);
    // The lazy image is broken, but was never asked for: nothing can be said of it.
    expect(site.requests).toContain('GET /dom/images-lazy');
    expect(site.requests).not.toContain('GET /dom/lazy-missing.png');
    // An SVG with no size of its own loaded: no finding for it either.
    expect(site.requests).toContain('GET /dom/no-size.svg');
  });
});
