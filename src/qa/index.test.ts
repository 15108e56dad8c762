import { describe, expect, it } from 'vitest';
import { Frontier } from '../core/index.js';
import { canonicalUrl, classifyLink, createScope, parseRobots, resolveCanonical } from './index.js';

describe('the QA URL layer through src/qa/index.ts', () => {
  it('keys the frontier: one page however it is linked, meaningful queries kept, skips explained', async () => {
    const start = 'https://App.Example.com/?utm_source=launch';
    const scope = createScope([start]);
    const robots = parseRobots('User-agent: *\nDisallow: /admin\n');
    const seed = canonicalUrl(start);
    expect(seed).toEqual({ url: 'https://app.example.com/' });
    const frontier = new Frontier<string>({ maxItems: 100, maxDepth: 2 });
    frontier.add(['url' in seed ? seed.url : ''], 0);

    const page = await frontier.claim();
    const links = [
      '/products?id=1',
      '/products?id=2&utm_medium=email',
      'https://app.example.com/products?id=1#reviews',
      'HTTPS://APP.EXAMPLE.COM:443/products?id=2',
      '/admin/users',
      '/logout',
      'mailto:help@example.com',
      'https://elsewhere.example/',
      '/brochure.pdf',
    ];
    const decisions = links.map((href) => classifyLink(href, { pageUrl: page!.item, scope }));
    const follow = decisions.flatMap((decision) => (decision.kind === 'follow' ? [decision.url] : []));
    const allowed = follow.filter((url) => robots.isAllowed(url, 'FlotillaQA'));
    expect(frontier.add(allowed, page!.depth + 1)).toBe(2);
    expect(frontier.unclaimed().map((entry) => entry.key)).toEqual([
      'https://app.example.com/products?id=1',
      'https://app.example.com/products?id=2',
    ]);
    expect(decisions.flatMap((decision) => (decision.kind === 'skip' ? [decision.reason] : []))).toEqual([
      'destructive',
      'non-http-scheme',
      'out-of-scope',
      'non-html',
    ]);
    frontier.complete(page!);

    // Loaded, /products?id=2 declares the first product as its canonical: one page.
    expect(resolveCanonical('https://app.example.com/products?id=2', '/products?id=1', { scope })).toEqual({
      url: 'https://app.example.com/products?id=1',
    });
  });
});
