import { describe, expect, it } from 'vitest';
import { parseRobots } from './robots.js';

type Case = readonly [url: string, agent: string, allowed: boolean];

function expectAll(text: string, cases: readonly Case[]): void {
  const robots = parseRobots(text);
  for (const [url, agent, allowed] of cases) {
    expect([url, agent, robots.isAllowed(url, agent)]).toEqual([url, agent, allowed]);
  }
}

describe('parseRobots: RFC 9309 §5 examples', () => {
  it('the simple example: *, foobot, barbot and bazbot, quxbot', () => {
    const text = [
      'User-Agent: *',
      'Disallow: *.gif$',
      'Disallow: /example/',
      'Allow: /publications/',
      '',
      'User-Agent: foobot',
      'Disallow:/',
      'Allow:/example/page.html',
      'Allow:/example/allowed.gif',
      '',
      'User-Agent: barbot',
      'User-Agent: bazbot',
      'Disallow: /example/page.html',
      '',
      'User-Agent: quxbot',
      '',
    ].join('\n');
    expectAll(text, [
      ['https://example.com/publications/a.html', 'OtherBot', true],
      ['https://example.com/example/a.html', 'OtherBot', false],
      ['https://example.com/images/a.gif', 'OtherBot', false],
      ['https://example.com/images/a.gif?x', 'OtherBot', true],
      ['https://example.com/', 'OtherBot', true],
      ['https://example.com/example/page.html', 'foobot', true],
      ['https://example.com/example/allowed.gif', 'foobot', true],
      ['https://example.com/example/other.html', 'foobot', false],
      ['https://example.com/', 'foobot', false],
      ['https://example.com/example/page.html', 'barbot', false],
      ['https://example.com/example/page.html', 'bazbot', false],
      ['https://example.com/example/other.html', 'bazbot', true],
      ['https://example.com/images/a.gif', 'bazbot', true],
      ['https://example.com/example/page.html', 'quxbot', true],
      ['https://example.com/images/a.gif', 'quxbot', true],
    ]);
  });

  it('longest match: the most specific rule wins', () => {
    expectAll('User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n', [
      ['https://example.com/example/page/disallowed.gif', 'foobot', false],
      ['https://example.com/example/page/other.gif', 'foobot', true],
    ]);
  });

  it('groups for one product token are merged (§2.2.1)', () => {
    const text =
      'user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: ExampleBot\ndisallow: /baz\n';
    expectAll(text, [
      ['https://e.com/foo', 'ExampleBot', false],
      ['https://e.com/bar', 'examplebot', false],
      ['https://e.com/baz', 'EXAMPLEBOT', false],
      ['https://e.com/qux', 'ExampleBot', true],
    ]);
  });

  it('no matching group: the * group; no * group either: nothing applies (§2.2.1)', () => {
    const text = 'user-agent: *\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: BazBot\ndisallow: /baz\n';
    expectAll(text, [
      ['https://e.com/foo', 'ExampleBot', false],
      ['https://e.com/baz', 'ExampleBot', true],
      ['https://e.com/baz', 'BazBot', false],
      ['https://e.com/foo', 'BazBot', true],
    ]);
    expectAll('user-agent: BazBot\ndisallow: /\n', [['https://e.com/x', 'ExampleBot', true]]);
    expectAll('', [['https://e.com/x', 'ExampleBot', true]]);
  });

  it('percent-encoding is compared in one form (§2.2.2)', () => {
    expectAll('user-agent: *\ndisallow: /\nallow: /foo/bar?baz=quz\nallow: /a/%E3%83%84\nallow: /b/ツ\n', [
      ['https://e.com/foo/bar?baz=quz', 'x', true],
      ['https://e.com/a/%E3%83%84', 'x', true],
      ['https://e.com/a/%e3%83%84', 'x', true],
      ['https://e.com/a/ツ', 'x', true],
      ['https://e.com/b/%E3%83%84', 'x', true],
      ['https://e.com/b/ツ', 'x', true],
    ]);
    // An encoded unreserved character is the character; a reserved one keeps its meaning.
    expectAll('user-agent: *\ndisallow: /\nallow: /foo/bar/%62%61%7A\nallow: /q?u=https%3A%2F%2Ffoo.bar\n', [
      ['https://e.com/foo/bar/baz', 'x', true],
      ['https://e.com/foo/bar/%62%61%7a', 'x', true],
      ['https://e.com/q?u=https%3A%2F%2Ffoo.bar', 'x', true],
      ['https://e.com/q?u=https%3a%2f%2ffoo.bar', 'x', true],
      ['https://e.com/q?u=https://foo.bar', 'x', false],
    ]);
  });

  it('a literal * or $ is %2A or %24 in a rule (§2.2.3)', () => {
    expectAll('user-agent: *\ndisallow: /path/file-with-a-%2A.html\ndisallow: /path/foo-%24\n', [
      ['https://www.example.com/path/file-with-a-*.html', 'x', false],
      ['https://www.example.com/path/file-with-a-%2A.html', 'x', false],
      ['https://www.example.com/path/file-with-a-b.html', 'x', true],
      ['https://www.example.com/path/foo-$', 'x', false],
      ['https://www.example.com/path/foo-', 'x', true],
    ]);
  });

  it('/robots.txt is always allowed', () => {
    expectAll('user-agent: *\ndisallow: /\n', [
      ['https://e.com/robots.txt', 'x', true],
      ['https://e.com/robots.txt?x=1', 'x', true],
      ['https://e.com/robots.txt/x', 'x', false],
      ['https://e.com/', 'x', false],
    ]);
  });
});

describe('parseRobots: Google’s documented examples', () => {
  // developers.google.com/search/docs/crawling-indexing/robots/robots_txt, as google/robotstxt tests them.
  it.each<[string, Case[]]>([
    [
      'allow: /fish',
      [
        ['http://foo.bar/bar', 'FooBot', false],
        ['http://foo.bar/fish', 'FooBot', true],
        ['http://foo.bar/fish.html', 'FooBot', true],
        ['http://foo.bar/fish/salmon.html', 'FooBot', true],
        ['http://foo.bar/fishheads', 'FooBot', true],
        ['http://foo.bar/fishheads/yummy.html', 'FooBot', true],
        ['http://foo.bar/fish.html?id=anything', 'FooBot', true],
        ['http://foo.bar/Fish.asp', 'FooBot', false],
        ['http://foo.bar/catfish', 'FooBot', false],
        ['http://foo.bar/?id=fish', 'FooBot', false],
      ],
    ],
    [
      'allow: /fish*',
      [
        ['http://foo.bar/fish', 'FooBot', true],
        ['http://foo.bar/fishheads/yummy.html', 'FooBot', true],
        ['http://foo.bar/Fish.bar', 'FooBot', false],
        ['http://foo.bar/catfish', 'FooBot', false],
      ],
    ],
    [
      'allow: /fish/',
      [
        ['http://foo.bar/fish/', 'FooBot', true],
        ['http://foo.bar/fish/?salmon', 'FooBot', true],
        ['http://foo.bar/fish/salmon.html', 'FooBot', true],
        ['http://foo.bar/fish', 'FooBot', false],
        ['http://foo.bar/fish.html', 'FooBot', false],
        ['http://foo.bar/Fish/Salmon.html', 'FooBot', false],
      ],
    ],
    [
      'allow: /*.php',
      [
        ['http://foo.bar/filename.php', 'FooBot', true],
        ['http://foo.bar/folder/filename.php?parameters', 'FooBot', true],
        ['http://foo.bar//folder/any.php.file.html', 'FooBot', true],
        ['http://foo.bar/filename.php/', 'FooBot', true],
        ['http://foo.bar/index?f=filename.php/', 'FooBot', true],
        ['http://foo.bar/php/', 'FooBot', false],
        ['http://foo.bar/index?php', 'FooBot', false],
        ['http://foo.bar/windows.PHP', 'FooBot', false],
      ],
    ],
    [
      'allow: /*.php$',
      [
        ['http://foo.bar/filename.php', 'FooBot', true],
        ['http://foo.bar/folder/filename.php', 'FooBot', true],
        ['http://foo.bar/filename.php?parameters', 'FooBot', false],
        ['http://foo.bar/filename.php/', 'FooBot', false],
        ['http://foo.bar/filename.php5', 'FooBot', false],
        ['http://foo.bar/php/', 'FooBot', false],
        ['http://foo.bar/filename?php', 'FooBot', false],
        ['http://foo.bar/aaaphpaaa', 'FooBot', false],
        ['http://foo.bar//windows.PHP', 'FooBot', false],
      ],
    ],
    [
      'allow: /fish*.php',
      [
        ['http://foo.bar/fish.php', 'FooBot', true],
        ['http://foo.bar/fishheads/catfish.php?parameters', 'FooBot', true],
        ['http://foo.bar/Fish.PHP', 'FooBot', false],
      ],
    ],
  ])('disallow: / with %s', (allow, cases) => {
    expectAll(`user-agent: FooBot\ndisallow: /\n${allow}\n`, cases);
  });

  it.each<[string, string, boolean]>([
    // order of precedence for rules
    ['allow: /p\ndisallow: /', 'http://example.com/page', true],
    ['allow: /folder\ndisallow: /folder', 'http://example.com/folder/page', true],
    ['allow: /page\ndisallow: /*.htm', 'http://example.com/page.htm', false],
    ['allow: /page\ndisallow: /*.ph', 'http://example.com/page.php5', true],
    ['allow: /$\ndisallow: /', 'http://example.com/', true],
    ['allow: /$\ndisallow: /', 'http://example.com/page.htm', false],
    // the same, rules in the other order: order never matters
    ['disallow: /\nallow: /p', 'http://example.com/page', true],
    ['disallow: /*.htm\nallow: /page', 'http://example.com/page.htm', false],
  ])('%j on %s: %s', (rules, url, allowed) => {
    expectAll(`user-agent: FooBot\n${rules}\n`, [[url, 'FooBot', allowed]]);
  });

  it('a more specific group replaces the * group, it is not added to it', () => {
    expectAll('User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n', [
      ['http://foo.bar/x/page', 'FooBot', true],
      ['http://foo.bar/y/page', 'FooBot', false],
      ['http://foo.bar/x/page', 'BarBot', false],
    ]);
  });

  it('rules before any group are ignored; groups start at user-agent lines after rules', () => {
    const text = [
      'allow: /foo/bar/',
      '',
      'user-agent: FooBot',
      'disallow: /',
      'allow: /x/',
      'user-agent: BarBot',
      'disallow: /',
      'allow: /y/',
      '',
      '',
      'allow: /w/',
      'user-agent: BazBot',
      '',
      'user-agent: FooBot',
      'allow: /z/',
      'disallow: /',
    ].join('\n');
    expectAll(text, [
      ['http://foo.bar/x/b', 'FooBot', true],
      ['http://foo.bar/z/d', 'FooBot', true],
      ['http://foo.bar/y/c', 'FooBot', false],
      ['http://foo.bar/y/c', 'BarBot', true],
      ['http://foo.bar/w/a', 'BarBot', true],
      ['http://foo.bar/z/d', 'BarBot', false],
      ['http://foo.bar/z/d', 'BazBot', true],
      ['http://foo.bar/foo/bar/', 'FooBot', false],
      ['http://foo.bar/foo/bar/', 'BarBot', false],
      ['http://foo.bar/foo/bar/', 'BazBot', false],
    ]);
  });

  it('equal allow and disallow: allow wins; empty ones match nothing', () => {
    const url = 'http://foo.bar/x/page.html';
    expectAll('user-agent: FooBot\ndisallow: \nallow: \n', [[url, 'FooBot', true]]);
    expectAll('user-agent: FooBot\ndisallow: /\nallow: /\n', [[url, 'FooBot', true]]);
    expectAll('user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n', [[url, 'FooBot', true]]);
    expectAll('user-agent: FooBot\ndisallow: /x\nallow: /x/\n', [
      ['http://foo.bar/x', 'FooBot', false],
      ['http://foo.bar/x/', 'FooBot', true],
    ]);
    expectAll('user-agent: *\nDisallow:\n', [['http://foo.bar/anything', 'x', true]]);
  });

  it('special characters: * inside, $ at the end, # comments', () => {
    expectAll('User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n', [
      ['http://foo.bar/foo/bar/quz', 'FooBot', false],
      ['http://foo.bar/foo/quz', 'FooBot', true],
      ['http://foo.bar/foo//quz', 'FooBot', true],
      ['http://foo.bar/foo/bax/quz', 'FooBot', true],
    ]);
    expectAll('User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n', [
      ['http://foo.bar/foo/bar', 'FooBot', false],
      ['http://foo.bar/foo/bar/qux', 'FooBot', true],
      ['http://foo.bar/foo/bar/', 'FooBot', true],
      ['http://foo.bar/foo/bar/baz', 'FooBot', true],
    ]);
    expectAll('User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n', [
      ['http://foo.bar/foo/bar', 'FooBot', true],
      ['http://foo.bar/foo/quz', 'FooBot', false],
    ]);
  });
});
