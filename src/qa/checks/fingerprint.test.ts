import { describe, expect, it } from 'vitest';
import { finding, groupFindings } from '../report.js';
import { fingerprintOf, normaliseSelector, urlTemplate } from './fingerprint.js';

describe('urlTemplate', () => {
  it('folds numbers, ids, slug numbers and query values, and drops the fragment', () => {
    expect(urlTemplate('https://shop.test/product/123?c=4&a=x#top')).toBe(
      'https://shop.test/product/{n}?a={v}&c={v}',
    );
    expect(urlTemplate('https://shop.test/u/3f2b9c1e-8a7d-4c2e-9b1a-0d6e5f4c3b2a/edit')).toBe(
      'https://shop.test/u/{id}/edit',
    );
    expect(urlTemplate('https://shop.test/blob/9fceb02d0ae598e95dc970b74767f19372d61af8')).toBe(
      'https://shop.test/blob/{id}',
    );
    expect(urlTemplate('https://shop.test/items/item-42')).toBe('https://shop.test/items/item-{n}');
    expect(urlTemplate('https://shop.test/docs/getting-started')).toBe(
      'https://shop.test/docs/getting-started',
    );
    expect(urlTemplate('https://shop.test/v2/api')).toBe('https://shop.test/v2/api');
  });

  it('keeps what tells pages apart: the host, the scheme, the other segments', () => {
    expect(urlTemplate('http://a.test/p/1')).not.toBe(urlTemplate('https://a.test/p/1'));
    expect(urlTemplate('https://a.test/p/1')).not.toBe(urlTemplate('https://b.test/p/1'));
    expect(urlTemplate('https://a.test/products/1')).not.toBe(urlTemplate('https://a.test/users/1'));
  });

  it('gives a string that is no URL back as it is', () => {
    expect(urlTemplate('not a url')).toBe('not a url');
  });
});

describe('normaliseSelector', () => {
  it('folds numbers of ids, classes and attribute values, keeps structural positions', () => {
    expect(normaliseSelector('  #product-123  >  .price-9 ')).toBe('#product-{n} > .price-{n}');
    expect(normaliseSelector('[data-id="77"] li:nth-child(3)')).toBe('[data-id="{n}"] li:nth-child(3)');
    expect(normaliseSelector('h1')).toBe('h1');
  });
});

describe('fingerprints and grouping', () => {
  const missingAlt = (url: string, selector = '#hero > img') =>
    finding({
      check: 'accessibility',
      rule: 'image-alt',
      severity: 'high',
      title: 'Images need alt',
      message: 'm',
      url,
      selector,
    });

  it('makes the same defect on pages of one kind one finding with every affected URL', () => {
    const found = Array.from({ length: 200 }, (_, index) =>
      missingAlt(`https://shop.test/product/${index + 1}`),
    );
    const grouped = groupFindings(found);
    expect(grouped).toHaveLength(1);
    expect(grouped[0]!.url).toBe('https://shop.test/product/1');
    expect(grouped[0]!.affected_urls).toHaveLength(200);
    expect(grouped[0]!.affected_urls[199]).toBe('https://shop.test/product/200');
  });

  it('keeps different rules, selectors, subjects and kinds of page apart', () => {
    const grouped = groupFindings([
      missingAlt('https://shop.test/product/1'),
      missingAlt('https://shop.test/product/1', '#footer > img'),
      missingAlt('https://shop.test/about'),
      finding({
        check: 'console-error',
        rule: 'console-error',
        severity: 'medium',
        title: 't',
        message: 'm',
        url: 'https://shop.test/',
        subject: 'TypeError: a is undefined',
      }),
      finding({
        check: 'console-error',
        rule: 'console-error',
        severity: 'medium',
        title: 't',
        message: 'm',
        url: 'https://shop.test/',
        subject: 'ReferenceError: b',
      }),
    ]);
    expect(grouped).toHaveLength(5);
  });

  it('takes the worst severity and the first screenshot of a group', () => {
    const a = { ...missingAlt('https://shop.test/product/1'), severity: 'medium' as const };
    const b = {
      ...missingAlt('https://shop.test/product/2'),
      screenshot: 'screenshots/0001-accessibility.png',
    };
    const [one] = groupFindings([a, b]);
    expect(one!.severity).toBe('high');
    expect(one!.screenshot).toBe('screenshots/0001-accessibility.png');
  });

  it('is stable: the same parts give the same fingerprint in any run', () => {
    const parts = { check: 'forms', rule: 'missing-label', url: 'https://a.test/x/5', selector: '#q' };
    expect(fingerprintOf(parts)).toBe(fingerprintOf({ ...parts, url: 'https://a.test/x/6' }));
    expect(fingerprintOf(parts)).toMatch(/^[0-9a-f]{32}$/);
    expect(missingAlt('https://a.test/').id).toBe(
      `F${missingAlt('https://a.test/').fingerprint.slice(0, 10)}`,
    );
  });
});
