import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import { parseSitemap, SITEMAP_MAX_CHARS, SITEMAP_MAX_URLS } from './sitemap.js';
import { SitemapError } from './sitemap-error.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

/** The `SitemapError` parsing `xml` throws. */
function refusal(xml: string, url?: string): SitemapError {
  try {
    parseSitemap(xml, url === undefined ? {} : { url });
  } catch (error) {
    expect(error).toBeInstanceOf(SitemapError);
    expect(hasCode(error, 'E_SITEMAP')).toBe(true);
    return error as SitemapError;
  }
  throw new Error('parsing did not throw');
}

const urlset = (body: string) =>
  `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${body}</urlset>`;

describe('parseSitemap: real-world sitemaps', () => {
  it('a Yoast sitemap index, with a stylesheet and a trailing comment', () => {
    expect(parseSitemap(fixture('sitemap-index-yoast.xml'))).toEqual({
      sitemaps: [
        'https://shop.example.com/post-sitemap.xml',
        'https://shop.example.com/page-sitemap.xml',
        'https://shop.example.com/product-sitemap.xml',
      ],
      truncated: false,
    });
  });

  it('a urlset with CRLF, image, news, video and hreflang extensions, CDATA and character references', () => {
    expect(parseSitemap(fixture('sitemap-extensions.xml'))).toEqual({
      urls: [
        'https://shop.example.com/',
        'https://shop.example.com/search?q=red+shoes&page=2',
        'https://shop.example.com/catalog?sort=price&dir=asc',
        'https://shop.example.com/news/2024/summer-sale',
        'https://shop.example.com/caf%C3%A9/cr%C3%A8me',
      ],
      truncated: false,
    });
  });

  it('a urlset whose elements carry a namespace prefix', () => {
    expect(parseSitemap(fixture('sitemap-prefixed.xml'))).toEqual({
      urls: ['https://docs.example.com/guide/', 'https://docs.example.com/guide/install'],
      truncated: false,
    });
  });

  it('a BOM, no declaration, no namespace, one url, an empty urlset', () => {
    expect(parseSitemap('\uFEFF<urlset><url><loc>https://e.com/a</loc></url></urlset>')).toEqual({
      urls: ['https://e.com/a'],
      truncated: false,
    });
    expect(parseSitemap('<urlset/>')).toEqual({ urls: [], truncated: false });
    expect(parseSitemap(urlset('\n  \n'))).toEqual({ urls: [], truncated: false });
    expect(parseSitemap('<sitemapindex></sitemapindex>')).toEqual({ sitemaps: [], truncated: false });
  });
});

describe('parseSitemap: the locations kept', () => {
  it('drops entries without a usable <loc>: missing, empty, not http(s), not a URL, relative without a base', () => {
    const body = [
      '<url><lastmod>2024-01-01</lastmod></url>',
      '<url><loc/></url>',
      '<url><loc>   </loc></url>',
      '<url><loc>javascript:alert(1)</loc></url>',
      '<url><loc>ftp://e.com/file</loc></url>',
      '<url><loc>http://[::1</loc></url>',
      '<url><loc>/relative</loc></url>',
      '<url><loc>https://e.com/kept</loc><loc>https://e.com/second-loc</loc></url>',
      '<url><loc><nested>https://e.com/x</nested></loc></url>',
    ].join('\n');
    expect(parseSitemap(urlset(body))).toEqual({ urls: ['https://e.com/kept'], truncated: false });
  });

  it('resolves a relative <loc> against the sitemap’s URL when given', () => {
    const xml = urlset('<url><loc>/relative?a=1</loc></url><url><loc>https://other.example/x</loc></url>');
    expect(parseSitemap(xml, { url: 'https://e.com/sitemap.xml' })).toEqual({
      urls: ['https://e.com/relative?a=1', 'https://other.example/x'],
      truncated: false,
    });
  });

  it(`keeps at most ${SITEMAP_MAX_URLS} URLs and says it dropped the rest`, () => {
    const entries = (count: number) =>
      Array.from({ length: count }, (_, index) => `<url><loc>https://e.com/p${index}</loc></url>`).join('');
    const full = parseSitemap(urlset(entries(SITEMAP_MAX_URLS)));
    expect('urls' in full && full.urls.length).toBe(SITEMAP_MAX_URLS);
    expect(full.truncated).toBe(false);
    const over = parseSitemap(urlset(entries(SITEMAP_MAX_URLS + 5)));
    expect('urls' in over && over.urls.length).toBe(SITEMAP_MAX_URLS);
    expect('urls' in over && over.urls.at(-1)).toBe(`https://e.com/p${SITEMAP_MAX_URLS - 1}`);
    expect(over.truncated).toBe(true);
  });
});

describe('parseSitemap: entities are never expanded', () => {
  it('billion laughs: declared entities stay as their literal text, at once', () => {
    expect(parseSitemap(fixture('billion-laughs.xml'))).toEqual({
      urls: ['https://shop.example.com/&lol9;', 'https://shop.example.com/plain'],
      truncated: false,
    });
  });

  it('an external entity is refused, never read', () => {
    const error = refusal(fixture('xxe.xml'));
    expect(error.message).toMatch(/^Not a sitemap: unreadable XML: .*[Ee]xternal entit/);
    expect(error.message).not.toContain('root:');
  });

  it('a DOCTYPE declaring more entities than a sitemap could need is refused', () => {
    const declarations = Array.from({ length: 200 }, (_, index) => `<!ENTITY e${index} "x">`).join('');
    expect(refusal(`<!DOCTYPE urlset [${declarations}]>${urlset('')}`).message).toMatch(
      /^Not a sitemap: unreadable/,
    );
  });
});

describe('parseSitemap: what is not a sitemap, said clearly', () => {
  it.each([
    ['', 'Not a sitemap: the document is empty'],
    [' \n\t', 'Not a sitemap: the document is empty'],
    ['\uFEFF', 'Not a sitemap: the document is empty'],
    ['<!DOCTYPE html><html><body>Page not found</body></html>', 'Not a sitemap: an HTML page, not XML'],
    ['\n<!-- cached -->\n<html lang="en"><head></head></html>', 'Not a sitemap: an HTML page, not XML'],
    [
      '<feed xmlns="http://www.w3.org/2005/Atom"></feed>',
      'Not a sitemap: expected a <urlset> or <sitemapindex> root element, got <feed>',
    ],
    ['<?xml version="1.0"?>', 'Not a sitemap (line 1): not XML: Start tag expected.'],
    ['{"urls": []}', "Not a sitemap (1:1): not XML: char '{' is not expected."],
    ['https://e.com/a\nhttps://e.com/b', "Not a sitemap (1:1): not XML: char 'h' is not expected."],
  ])('%j', (xml, message) => {
    expect(refusal(xml).message).toBe(message);
  });

  it('an RSS feed, naming the sitemap and the root found', () => {
    const error = refusal(fixture('feed.rss'), 'https://shop.example.com/sitemap.xml');
    expect(error.message).toBe(
      'Not a sitemap: https://shop.example.com/sitemap.xml: expected a <urlset> or <sitemapindex> root element, got <rss>',
    );
    expect(error.url).toBe('https://shop.example.com/sitemap.xml');
  });

  it('a document cut short, with its line and column', () => {
    const error = refusal('<urlset>\n  <url>\n    <loc>https://e.com/a</loc>\n</urlset>');
    expect([error.line, error.column]).toEqual([4, 1]);
    expect(error.message).toMatch(/^Not a sitemap \(4:1\): not XML: .*'url'/);
  });

  it('hostile structure: nesting past 100 levels, names that would pollute prototypes', () => {
    const deep = urlset(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`);
    expect(refusal(deep).message).toMatch(/^Not a sitemap: unreadable XML: Maximum nested tags exceeded/);
    expect(refusal(urlset('<__proto__><loc>https://e.com/</loc></__proto__>')).message).toMatch(/__proto__/);
    expect(Object.prototype).not.toHaveProperty('loc');
  });

  it('two roots, or text outside the root', () => {
    expect(refusal(`${urlset('')}${urlset('')}`).message).toMatch(/not XML: Multiple possible root nodes/);
    expect(refusal(`${urlset('')} trailing`).message).toMatch(/not XML/);
  });

  it(`a document over ${SITEMAP_MAX_CHARS / 1024 / 1024} MiB is refused before it is read`, () => {
    const huge = urlset(' '.repeat(SITEMAP_MAX_CHARS));
    expect(refusal(huge).message).toBe('Not a sitemap: larger than 50 MiB');
  });
});
