import { describe, expect, it } from 'vitest';
import { resolveCanonical } from './rel-canonical.js';
import { createScope } from './scope.js';

const page = 'https://shop.example.com/shoes?color=red&utm_source=ad#reviews';
const own = { url: 'https://shop.example.com/shoes?color=red' };

describe('resolveCanonical', () => {
  it('two URLs that declare the same canonical are one page', () => {
    const a = resolveCanonical('https://shop.example.com/shoes?sort=price', '/shoes');
    const b = resolveCanonical(
      'https://shop.example.com/shoes?sort=name&page=1',
      'https://shop.example.com/shoes',
    );
    const c = resolveCanonical(
      'https://shop.example.com/products/123',
      'HTTPS://SHOP.example.com:443/shoes#top',
    );
    expect(a).toEqual({ url: 'https://shop.example.com/shoes' });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it.each([
    // absent, empty, blank
    [undefined, own],
    [null, own],
    ['', own],
    ['   ', own],
    [[], own],
    // relative, resolved against the page
    ['?color=red', own],
    ['../shoes', { url: 'https://shop.example.com/shoes' }],
    ['#reviews', own],
    // canonicalised like any key: tracking dropped, query sorted
    ['/shoes?utm_campaign=x&b=2&a=1', { url: 'https://shop.example.com/shoes?a=1&b=2' }],
    // not a page URL, or one the crawl may not use: the page's own key
    ['javascript:alert(1)', own],
    ['mailto:a@example.com', own],
    ['http://[::1', own],
    ['https://other.example.org/shoes', own],
    ['http://shop.example.com/shoes', own],
    ['//evil.example/shoes', own],
    ['/catalog.pdf', own],
    [`/${'a'.repeat(10_000)}`, own],
    // several that agree are one; several that disagree are ignored
    [['/shoes', 'https://shop.example.com/shoes#x'], { url: 'https://shop.example.com/shoes' }],
    [['/shoes', '/boots'], own],
    [['/shoes', 'javascript:x'], own],
  ])('declaring %j → %j', (href, expected) => {
    expect(resolveCanonical(page, href)).toEqual(expected);
  });

  it('in scope only: the crawl’s scope decides when given', () => {
    const scope = createScope(['https://shop.example.com/'], ['https://www.example.com']);
    expect(resolveCanonical(page, 'https://www.example.com/shoes', { scope })).toEqual({
      url: 'https://www.example.com/shoes',
    });
    expect(resolveCanonical(page, 'https://elsewhere.example/shoes', { scope })).toEqual(own);
    // without a scope, only the page's own origin counts
    expect(resolveCanonical(page, 'https://www.example.com/shoes')).toEqual(own);
  });

  it('uses the crawl’s parameter options for both keys, so they agree with the frontier', () => {
    const params = { ignoreParams: ['color'] };
    expect(resolveCanonical(page, undefined, { params })).toEqual({ url: 'https://shop.example.com/shoes' });
    expect(resolveCanonical(page, '/shoes?color=blue', { params })).toEqual({
      url: 'https://shop.example.com/shoes',
    });
  });

  it('a page URL with no key is skipped, whatever it declares', () => {
    expect(resolveCanonical('nonsense', 'https://shop.example.com/')).toEqual({ skip: 'invalid-url' });
    expect(resolveCanonical('data:text/html,x', '/')).toEqual({ skip: 'non-http-scheme' });
  });
});
