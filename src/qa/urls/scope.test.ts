import { describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import { createScope } from './scope.js';

describe('createScope', () => {
  it('is the origins of the start URLs by default: scheme, host and port', () => {
    const scope = createScope(['https://app.example.com/start?x=1', 'http://localhost:3000/']);
    expect(scope.origins).toEqual(['http://localhost:3000', 'https://app.example.com']);
    expect(scope.includes('https://app.example.com/other')).toBe(true);
    expect(scope.includes('https://APP.example.com:443/x')).toBe(true);
    expect(scope.includes('https://user:pw@app.example.com/x')).toBe(true);
    expect(scope.includes('http://localhost:3000/a')).toBe(true);
    // another scheme, port or host is another origin
    expect(scope.includes('http://app.example.com/other')).toBe(false);
    expect(scope.includes('https://app.example.com:8443/')).toBe(false);
    expect(scope.includes('http://localhost:3001/')).toBe(false);
    expect(scope.includes('https://example.com/')).toBe(false);
    expect(scope.includes('https://evil.app.example.com/')).toBe(false);
    expect(scope.includes('https://app.example.com.evil.example/')).toBe(false);
    // a user name that looks like the host is not the host
    expect(scope.includes('https://app.example.com@evil.example/')).toBe(false);
  });

  it.each([
    // origins
    ['https://docs.example.com', 'https://docs.example.com/guide', true],
    ['https://docs.example.com', 'http://docs.example.com/guide', false],
    ['https://docs.example.com/ignored/path', 'https://docs.example.com/', true],
    ['http://localhost:4000', 'http://localhost:4000/api', true],
    ['http://localhost:4000', 'http://localhost:4001/api', false],
    ['HTTPS://Docs.Example.COM:443', 'https://docs.example.com/', true],
    // hosts: both schemes, any port
    ['example.com', 'http://example.com/', true],
    ['example.com', 'https://example.com:8443/', true],
    ['example.com', 'https://www.example.com/', false],
    ['example.com:8080', 'http://example.com:8080/', true],
    ['example.com:8080', 'http://example.com/', false],
    ['example.com:80', 'http://example.com/', true],
    ['example.com:80', 'https://example.com/', false],
    // host patterns: subdomains only
    ['*.example.com', 'https://a.example.com/', true],
    ['*.example.com', 'http://a.b.example.com:81/', true],
    ['*.example.com', 'https://example.com/', false],
    ['*.example.com', 'https://badexample.com/', false],
    ['*.example.com', 'https://a.example.com.evil.example/', false],
    ['https://*.example.com', 'https://a.example.com/', true],
    ['https://*.example.com', 'http://a.example.com/', false],
    ['https://*.example.com', 'https://a.example.com:8443/', false],
    ['https://*.example.com:8443', 'https://a.example.com:8443/', true],
    // IDN and IP hosts compare in URL form
    ['*.MÜNCHEN.de', 'http://www.xn--mnchen-3ya.de/', true],
    ['*.xn--mnchen-3ya.de', 'http://www.münchen.de/', true],
    ['[::1]:8080', 'http://[0:0:0:0:0:0:0:1]:8080/', true],
    ['127.0.0.1', 'http://127.0.0.1:5173/', true],
  ])('allowing %s admits %s: %s', (allowed, url, expected) => {
    const scope = createScope(['https://start.example.org/'], [allowed]);
    expect(scope.includes(url)).toBe(expected);
  });

  it('never admits what is not an http: or https: URL, and never throws', () => {
    const scope = createScope(['https://example.com/'], ['*.example.com']);
    for (const url of ['javascript:alert(1)', 'ftp://example.com/', 'mailto:a@example.com', '', 'nonsense']) {
      expect(scope.includes(url)).toBe(false);
    }
    expect(scope.includes(`https://example.com/${'a'.repeat(100_000)}`)).toBe(true);
  });

  it.each([
    [[], [], /at least one start URL/],
    [['ftp://example.com/'], [], /start URL to be an http: or https: URL, got "ftp:\/\/example.com\/"/],
    [['/relative'], [], /start URL/],
    [['https://e.com/'], ['*'], /a \* may only start a host pattern/],
    [['https://e.com/'], ['*.'], /no host/],
    [['https://e.com/'], ['a.*.example.com'], /a \* may only start/],
    [['https://e.com/'], ['ftp://files.example.com'], /not http: or https:/],
    [['https://e.com/'], ['   '], /no host/],
    [['https://e.com/'], ['exa mple.com'], /not a host/],
    [['https://e.com/'], ['example.com/docs'], /a host has no path/],
    [['https://e.com/'], ['https://user:pw@example.com'], /no user name or password/],
  ])('refuses %j with %j', (starts, allowed, message) => {
    let caught: unknown;
    try {
      createScope(starts, allowed);
    } catch (error) {
      caught = error;
    }
    expect(hasCode(caught, 'E_INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
