import { describe, expect, it } from 'vitest';
import { canonicalUrl, MAX_URL_LENGTH, TRACKING_PARAMS, type CanonicalResult } from './canonical.js';

function key(input: string | URL, options?: Parameters<typeof canonicalUrl>[1]): string {
  const result = canonicalUrl(input, options);
  if ('skip' in result) throw new Error(`skipped as ${result.skip}: ${String(input)}`);
  return result.url;
}

describe('canonicalUrl: one key per page', () => {
  it.each([
    // scheme, host, port
    ['HTTP://ExAmPle.COM/Path', 'http://example.com/Path'],
    ['http://example.com:80/', 'http://example.com/'],
    ['https://example.com:443/a', 'https://example.com/a'],
    ['https://example.com:8443/a', 'https://example.com:8443/a'],
    ['http://example.com:0080/', 'http://example.com/'],
    ['http://example.com', 'http://example.com/'],
    ['http://example.com?a=1', 'http://example.com/?a=1'],
    // hosts: IDN, IPv4 forms, IPv6
    ['http://münchen.de/', 'http://xn--mnchen-3ya.de/'],
    ['http://MÜNCHEN.de/', 'http://xn--mnchen-3ya.de/'],
    ['https://例え.jp/パス', 'https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9'],
    ['http://0x7f.1/', 'http://127.0.0.1/'],
    ['http://2130706433/', 'http://127.0.0.1/'],
    ['http://[2001:DB8:0:0:0:0:0:1]:8080/x', 'http://[2001:db8::1]:8080/x'],
    ['http://[::FFFF:127.0.0.1]/', 'http://[::ffff:7f00:1]/'],
    // user info never becomes part of a key
    ['https://user:secret@example.com/a', 'https://example.com/a'],
    ['https://user@example.com/', 'https://example.com/'],
    // fragment
    ['https://example.com/a#section', 'https://example.com/a'],
    ['https://example.com/a?b=1#!/spa/route', 'https://example.com/a?b=1'],
    // dot segments, encoded ones too
    ['https://example.com/a/./b/../c', 'https://example.com/a/c'],
    ['https://example.com/a/%2e%2e/b', 'https://example.com/b'],
    ['https://example.com/a/.%2E/b', 'https://example.com/b'],
    ['https://example.com/../../etc/passwd', 'https://example.com/etc/passwd'],
    ['https://example.com/a/%2E%2E%2Fb', 'https://example.com/a/..%2Fb'],
    // percent-encoding: case, unreserved decoded, reserved kept, invalid left alone
    ['https://example.com/%7euser/%41%62c', 'https://example.com/~user/Abc'],
    ['https://example.com/a%2fb%3Fc', 'https://example.com/a%2Fb%3Fc'],
    ['https://example.com/%e2%82%ac', 'https://example.com/%E2%82%AC'],
    ['https://example.com/€', 'https://example.com/%E2%82%AC'],
    ['https://example.com/a b', 'https://example.com/a%20b'],
    ['https://example.com/%zz%', 'https://example.com/%zz%'],
    ['https://example.com/?q=%2f%3d%26', 'https://example.com/?q=%2F%3D%26'],
    // paths keep their case, trailing slash and double slashes: servers may tell them apart
    ['https://example.com/About/', 'https://example.com/About/'],
    ['https://example.com//a', 'https://example.com//a'],
  ])('%s → %s', (input, expected) => {
    expect(key(input)).toBe(expected);
  });

  it('resolves relative input against base, like a browser', () => {
    const base = 'https://example.com/dir/page?x=1#top';
    expect(key('other', { base })).toBe('https://example.com/dir/other');
    expect(key('../up', { base })).toBe('https://example.com/up');
    expect(key('?y=2', { base })).toBe('https://example.com/dir/page?y=2');
    expect(key('#frag', { base })).toBe('https://example.com/dir/page?x=1');
    expect(key('', { base })).toBe('https://example.com/dir/page?x=1');
    expect(key('//cdn.example.com/a', { base })).toBe('https://cdn.example.com/a');
    expect(key('\\\\evil.example\\x', { base })).toBe('https://evil.example/x');
    expect(key('  /trimmed\n', { base })).toBe('https://example.com/trimmed');
    expect(key(new URL('https://EXAMPLE.com/u#f'))).toBe('https://example.com/u');
  });
});

describe('canonicalUrl: the query', () => {
  it.each([
    // sorted by name; parameters of one name keep their order
    ['https://e.com/?b=2&a=1', 'https://e.com/?a=1&b=2'],
    ['https://e.com/?b=1&a=2&a=1&c=0&a=3', 'https://e.com/?a=2&a=1&a=3&b=1&c=0'],
    ['https://e.com/?color=red&color=blue', 'https://e.com/?color=red&color=blue'],
    // the meaningful query is never dropped (the seed tool dropped every one)
    ['https://e.com/search?q=shoes&page=2', 'https://e.com/search?page=2&q=shoes'],
    ['https://e.com/product?id=42', 'https://e.com/product?id=42'],
    // values are never re-encoded: `+` and `%20` stay what they were
    ['https://e.com/?q=a+b', 'https://e.com/?q=a+b'],
    ['https://e.com/?q=a%20b', 'https://e.com/?q=a%20b'],
    ['https://e.com/?q=a b', 'https://e.com/?q=a%20b'],
    // names without values, empty values and empty pieces
    ['https://e.com/?flag', 'https://e.com/?flag'],
    ['https://e.com/?flag=', 'https://e.com/?flag='],
    ['https://e.com/?a=1&&b=2&', 'https://e.com/?a=1&b=2'],
    ['https://e.com/?', 'https://e.com/'],
    ['https://e.com/?&&', 'https://e.com/'],
    // one name however it is encoded
    ['https://e.com/?%61=1&a=2', 'https://e.com/?a=1&a=2'],
    // tracking parameters
    ['https://e.com/p?utm_source=news&utm_medium=email&id=7', 'https://e.com/p?id=7'],
    ['https://e.com/p?UTM_Campaign=x&id=7', 'https://e.com/p?id=7'],
    ['https://e.com/p?utm_source_platform=x', 'https://e.com/p'],
    ['https://e.com/p?gclid=abc&fbclid=def&msclkid=g&yclid=h', 'https://e.com/p'],
    ['https://e.com/p?mc_cid=1&mc_eid=2&_ga=3&_gl=4&igshid=5&ref_src=twsrc', 'https://e.com/p'],
    ['https://e.com/p?%75tm_source=x&q=1', 'https://e.com/p?q=1'],
    ['https://e.com/p?utm_source=x', 'https://e.com/p'],
    // similar names that are not tracking stay
    ['https://e.com/p?ref=main&source=docs&utm=1', 'https://e.com/p?ref=main&source=docs&utm=1'],
  ])('%s → %s', (input, expected) => {
    expect(key(input)).toBe(expected);
  });

  it('drops every name on the documented list', () => {
    const query = TRACKING_PARAMS.map((name, index) => `${name}=${index}`).join('&');
    expect(key(`https://e.com/?${query}&keep=1`)).toBe('https://e.com/?keep=1');
  });

  it('keepParams wins over the list and over ignoreParams; ignoreParams adds names and patterns', () => {
    const url = 'https://e.com/?utm_source=a&gclid=b&sessionid=c&sort=d&page=2&PHPSESSID=e';
    expect(key(url, { keepParams: ['utm_source', 'GCLID'] })).toBe(
      'https://e.com/?PHPSESSID=e&gclid=b&page=2&sessionid=c&sort=d&utm_source=a',
    );
    expect(key(url, { ignoreParams: ['SessionId', /^phpsessid$/i] })).toBe('https://e.com/?page=2&sort=d');
    expect(key(url, { ignoreParams: [/^s/], keepParams: ['sort'] })).toBe(
      'https://e.com/?PHPSESSID=e&page=2&sort=d',
    );
  });

  it('a global or sticky pattern matches every time, and is left as the caller gave it', () => {
    const pattern = /^sid$/g;
    const options = { ignoreParams: [pattern] };
    for (let round = 0; round < 3; round++)
      expect(key('https://e.com/?sid=1&sid=2', options)).toBe('https://e.com/');
    expect(pattern.lastIndex).toBe(0);
  });
});

describe('canonicalUrl: what has no key', () => {
  it.each<[string, CanonicalResult]>([
    ['', { skip: 'invalid-url' }],
    ['not a url', { skip: 'invalid-url' }],
    ['http://', { skip: 'invalid-url' }],
    ['http://exa mple.com/', { skip: 'invalid-url' }],
    ['http://[::1', { skip: 'invalid-url' }],
    ['http://example.com:99999/', { skip: 'invalid-url' }],
    ['mailto:someone@example.com', { skip: 'non-http-scheme' }],
    ['javascript:alert(1)', { skip: 'non-http-scheme' }],
    [' JaVaScRiPt:alert(1)', { skip: 'non-http-scheme' }],
    ['ftp://example.com/file', { skip: 'non-http-scheme' }],
    ['file:///etc/passwd', { skip: 'non-http-scheme' }],
    ['ws://example.com/socket', { skip: 'non-http-scheme' }],
  ])('%j → %j', (input, expected) => {
    expect(canonicalUrl(input)).toEqual(expected);
  });

  it('a relative URL without a base, or with a base that does not parse, is invalid', () => {
    expect(canonicalUrl('/path')).toEqual({ skip: 'invalid-url' });
    expect(canonicalUrl('/path', { base: 'nonsense' })).toEqual({ skip: 'invalid-url' });
    // An absolute one needs no base, so a broken base does not spoil it.
    expect(key('https://e.com/a', { base: 'nonsense' })).toBe('https://e.com/a');
  });

  it('a very long URL is too long, and a huge input is refused without being parsed', () => {
    const near = `https://e.com/${'a'.repeat(MAX_URL_LENGTH - 'https://e.com/'.length)}`;
    expect(key(near)).toHaveLength(MAX_URL_LENGTH);
    expect(canonicalUrl(`${near}a`)).toEqual({ skip: 'too-long' });
    // The limit is on the canonical URL: tracking longer than it is dropped first.
    expect(key(`https://e.com/p?utm_content=${'x'.repeat(MAX_URL_LENGTH)}`)).toBe('https://e.com/p');
    expect(canonicalUrl(`https://e.com/?q=${'%'.repeat(5_000_000)}`)).toEqual({ skip: 'too-long' });
  });

  it('hostile characters never throw: lone surrogates, NULs, controls', () => {
    for (const input of [
      'https://e.com/\uD800',
      'https://e.com/\u0000a',
      'https://e.com/?q=\uDFFF',
      '\u0000',
    ]) {
      expect(() => canonicalUrl(input)).not.toThrow();
    }
    expect(key('https://e.com/\uD800')).toBe('https://e.com/%EF%BF%BD');
  });
});

describe('canonicalUrl is idempotent', () => {
  it.each([
    'HTTP://ExAmPle.COM:80/a/%2e%2e/b/%7e%7Ex?b=2&a=%aa&utm_source=x&a=1#f',
    'http://münchen.de/straße?q=a+b&Q=%20',
    'https://e.com/a/%2E%2E%2Fb?x=%2f',
    'https://e.com/?q=\'<>"`{}|^',
    'https://e.com/%zz%?%zz=%',
    'http://[2001:DB8::1]:8080/?z&y=&&x=1',
    'https://e.com/\uD800?\uDFFF',
  ])('%s', (input) => {
    const once = key(input);
    expect(key(once)).toBe(once);
  });
});
