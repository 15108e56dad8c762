import { describe, expect, it } from 'vitest';
import { parseRobots, ROBOTS_MAX_BYTES } from './robots.js';

describe('parseRobots: tolerant of what sites serve', () => {
  it('a BOM, CRLF, CR and mixed line ends, no final newline', () => {
    for (const end of ['\n', '\r\n', '\r']) {
      const text = `\uFEFFUser-Agent: foo${end}Allow: /some/path${end}User-Agent: bar${end}${end}${end}Disallow: /`;
      const robots = parseRobots(text);
      expect(robots.isAllowed('https://e.com/some/path', 'foo')).toBe(true);
      expect(robots.isAllowed('https://e.com/other', 'foo')).toBe(true);
      expect(robots.isAllowed('https://e.com/other', 'bar')).toBe(false);
    }
    const mixed = parseRobots('User-Agent: foo\nAllow: /a\r\nUser-Agent: bar\r\rDisallow: /\n');
    expect(mixed.isAllowed('https://e.com/x', 'bar')).toBe(false);
  });

  it('names in any case, a missing colon, misspellings, blanks and tabs', () => {
    for (const text of [
      'USER-AGENT: FooBot\nDISALLOW: /\nALLOW: /x/',
      'uSeR-aGeNt: FooBot\ndIsAlLoW: /\naLlOw: /x/',
      'user-agent FooBot\ndisallow /\nallow /x/',
      'useragent: FooBot\ndissallow: /\nallow: /x/',
      'User agent: FooBot\ndisalow: /\nallow: /x/',
      '  \tuser-agent\t:\tFooBot  \n\t disallow :  / \n allow: /x/ # the public part',
    ]) {
      const robots = parseRobots(text);
      expect(robots.isAllowed('http://foo.bar/a/b', 'FooBot')).toBe(false);
      expect(robots.isAllowed('http://foo.bar/x/y', 'FooBot')).toBe(true);
    }
  });

  it('garbage and unknown lines are ignored, and do not end a group’s user-agent lines', () => {
    const text = [
      '<html><body>Not found</body></html>',
      'User-agent: a',
      'Crawl-delay: 5',
      'Noindex: /x',
      'Host: example.com',
      'User-agent: b',
      'constructor: x',
      '__proto__: y',
      'Disallow: /private',
      '%%%%%%%%',
      ':',
      'Disallow',
      '\u0000\u0001\u0002',
    ].join('\n');
    const robots = parseRobots(text);
    expect(robots.isAllowed('https://e.com/private', 'a')).toBe(false);
    expect(robots.isAllowed('https://e.com/private', 'b')).toBe(false);
    expect(robots.isAllowed('https://e.com/public', 'b')).toBe(true);
    expect(robots.crawlDelayS('b')).toBe(5);
  });

  it('an HTML page or binary served as robots.txt allows everything', () => {
    for (const text of ['<!doctype html><title>404</title>', '\u0000\u00ff\ufffd'.repeat(1000), '{"a":1}']) {
      expect(parseRobots(text).isAllowed('https://e.com/x', 'FooBot')).toBe(true);
    }
  });

  it('a pattern that starts with neither / nor * matches nothing', () => {
    const robots = parseRobots('user-agent: *\ndisallow: private\ndisallow: ?q=\n');
    expect(robots.isAllowed('https://e.com/private', 'x')).toBe(true);
    expect(robots.isAllowed('https://e.com/?q=1', 'x')).toBe(true);
  });
});

describe('parseRobots: user agents', () => {
  it('matches the product token case-insensitively, reading values up to what a token cannot hold', () => {
    const robots = parseRobots(
      'User-agent: Googlebot/2.1 (+http://x)\nDisallow: /g\n\nUser-agent: *\nDisallow: /all\n',
    );
    expect(robots.isAllowed('https://e.com/g', 'googlebot')).toBe(false);
    expect(robots.isAllowed('https://e.com/g', 'GoogleBot/2.1')).toBe(false);
    expect(robots.isAllowed('https://e.com/all', 'Googlebot')).toBe(true);
    // a longer or shorter token is another crawler
    expect(robots.isAllowed('https://e.com/g', 'Googlebot-Image')).toBe(true);
    expect(robots.isAllowed('https://e.com/all', 'Googlebot-Image')).toBe(false);
    expect(robots.isAllowed('https://e.com/all', 'Google')).toBe(false);
  });

  it('a value with a space is read up to it, as Google reads "Foo Bar"', () => {
    const robots = parseRobots('User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n');
    expect(robots.isAllowed('http://foo.bar/x/y', 'Foo')).toBe(true);
    expect(robots.isAllowed('http://foo.bar/x/y', 'Other')).toBe(false);
  });

  it('an empty or token-less user agent obeys the * group only', () => {
    const robots = parseRobots('User-agent: ツ\nDisallow: /a\nUser-agent: *\nDisallow: /b\n');
    for (const agent of ['', '   ', 'ツ', '/1.0']) {
      expect(robots.isAllowed('https://e.com/a', agent)).toBe(true);
      expect(robots.isAllowed('https://e.com/b', agent)).toBe(false);
    }
  });

  it('a URL that does not parse is not allowed; a relative one neither', () => {
    const robots = parseRobots('');
    expect(robots.isAllowed('nonsense', 'x')).toBe(false);
    expect(robots.isAllowed('/relative', 'x')).toBe(false);
    expect(robots.isAllowed(new URL('https://e.com/a'), 'x')).toBe(true);
  });
});

describe('parseRobots: crawl-delay and sitemaps', () => {
  it('Crawl-delay of the group that applies, a number of seconds; absent or garbage is undefined', () => {
    const text = [
      'User-agent: a',
      'Crawl-delay: 10',
      // A Crawl-delay line does not end a group's user-agent lines: b shares a's group.
      'User-agent: b',
      'Disallow: /',
      'Crawl-delay: 0.5',
      'User-agent: c',
      'Disallow: /c',
      'Crawl-delay: ten',
      'Crawl-delay: -1',
      'Crawl-delay: 1e9',
      'Crawl-delay: 5s',
      'User-agent: d',
      'Disallow: /d',
      'Crawl-delay: .25',
      'User-agent: *',
      'Disallow: /star',
      'Crawl-delay: 3',
      'User-agent: e',
      'Disallow: /e',
    ].join('\n');
    const robots = parseRobots(text);
    expect(robots.crawlDelayS('a')).toBe(10);
    expect(robots.crawlDelayS('B')).toBe(10);
    expect(robots.crawlDelayS('c')).toBeUndefined();
    expect(robots.crawlDelayS('d')).toBe(0.25);
    expect(robots.crawlDelayS('other')).toBe(3);
    expect(robots.crawlDelayS('e')).toBeUndefined();
    expect(parseRobots('').crawlDelayS('x')).toBeUndefined();
  });

  it('every Sitemap line, anywhere, absolute, in order, once; it never ends a group', () => {
    const text = [
      'Sitemap: https://e.com/sitemap.xml',
      'User-agent: a',
      'Sitemap: https://e.com/news.xml # news',
      'Disallow: /x',
      'sitemap:/relative.xml',
      'site-map: https://e.com/sitemap.xml',
      'Sitemap: javascript:alert(1)',
      'Sitemap: not a url',
      'Sitemap: HTTPS://CDN.example.com/s.xml',
    ].join('\n');
    expect(parseRobots(text).sitemaps).toEqual([
      'https://e.com/sitemap.xml',
      'https://e.com/news.xml',
      'https://cdn.example.com/s.xml',
    ]);
    expect(parseRobots(text, { url: 'https://e.com/robots.txt' }).sitemaps).toEqual([
      'https://e.com/sitemap.xml',
      'https://e.com/news.xml',
      'https://e.com/relative.xml',
      'https://cdn.example.com/s.xml',
    ]);
    expect(parseRobots(text).isAllowed('https://e.com/x', 'a')).toBe(false);
  });
});

describe('parseRobots: hostile files', () => {
  it('reads the first 500 KiB only, and drops the line the limit cuts', () => {
    const head = 'User-agent: *\nDisallow: /early\n';
    const filler = `# ${'x'.repeat(1000)}\n`.repeat(Math.ceil(ROBOTS_MAX_BYTES / 1002));
    const robots = parseRobots(`${head}${filler}Disallow: /late\n`);
    expect(robots.isAllowed('https://e.com/early', 'x')).toBe(false);
    expect(robots.isAllowed('https://e.com/late', 'x')).toBe(true);
    // A rule the limit cuts in two is dropped, not read as its first half (`Allow: /` would allow all).
    const all = 'User-agent: *\nDisallow: /\n';
    const cut = `${all}${'#'.repeat(ROBOTS_MAX_BYTES - 9 - all.length)}\nAllow: /public\n`;
    expect(new TextDecoder().decode(new TextEncoder().encode(cut).slice(0, ROBOTS_MAX_BYTES))).toMatch(
      /Allow: \/$/,
    );
    expect(parseRobots(cut).isAllowed('https://e.com/anything', 'x')).toBe(false);
    // The limit counts UTF-8 bytes, not characters.
    const wide = `${head}# ${'ツ'.repeat(ROBOTS_MAX_BYTES / 3)}\nDisallow: /wide\n`;
    expect(parseRobots(wide).isAllowed('https://e.com/wide', 'x')).toBe(true);
  });

  it('a line that ends exactly at the limit is kept', () => {
    const head = 'User-agent: *\n';
    const rule = 'Disallow: /last';
    const text = `${head}${'#'.repeat(ROBOTS_MAX_BYTES - head.length - rule.length - 1)}\n${rule}\nAllow: /x`;
    expect(new TextEncoder().encode(text.slice(0, text.indexOf('\nAllow'))).length).toBe(ROBOTS_MAX_BYTES);
    expect(parseRobots(text).isAllowed('https://e.com/last', 'x')).toBe(false);
  });

  it('a huge file and patterns made to backtrack cost little', () => {
    const many = `User-agent: *\n${'Disallow: /*a*a*a*a*a*a*a*a*a*a*a*a*b\n'.repeat(10_000)}`;
    const robots = parseRobots(`${many}${'x'.repeat(50_000_000)}`);
    expect(robots.isAllowed(`https://e.com/${'a'.repeat(2_000)}`, 'x')).toBe(true);
    expect(robots.isAllowed(`https://e.com/${'a'.repeat(2_000)}b`, 'x')).toBe(false);
  });
});
