import { describe, expect, it } from 'vitest';
import { decodeLenient, matchForm, normalisePercentEncoding } from './percent.js';

describe('normalisePercentEncoding', () => {
  it.each([
    ['/a%2fb', '/a%2Fb'],
    ['/%7e%7Euser', '/~~user'],
    ['/%41%5a%30%2D%2e%5F', '/AZ0-._'],
    ['/%e2%82%ac', '/%E2%82%AC'],
    ['/%zz%', '/%zz%'],
    ['/%252e', '/%252e'],
    ['/plain', '/plain'],
  ])('%s → %s', (input, expected) => {
    expect(normalisePercentEncoding(input)).toBe(expected);
  });
});

describe('matchForm: how robots.txt paths and URLs compare', () => {
  it.each([
    ['/foo/bar?baz=quz', '/foo/bar?baz=quz'],
    ['/foo/bar/ツ', '/foo/bar/%E3%83%84'],
    ['/foo/bar/%e3%83%84', '/foo/bar/%E3%83%84'],
    ['/foo/bar/%62%61%7A', '/foo/bar/baz'],
    ['/q?u=https%3a%2f%2ffoo.bar', '/q?u=https%3A%2F%2Ffoo.bar'],
    ['/file-with-a-%2A.html', '/file-with-a-*.html'],
    ['/foo-%24', '/foo-$'],
    ['/a b"<>\\^`{|}', '/a%20b%22%3C%3E%5C%5E%60%7B%7C%7D'],
    ['/100%', '/100%25'],
    ['/%zz', '/%25zz'],
    ['/\u0000\u007f', '/%00%7F'],
    ['/\uD800', '/%EF%BF%BD'],
    ['/😀', '/%F0%9F%98%80'],
  ])('%j → %s', (input, expected) => {
    expect(matchForm(input)).toBe(expected);
    expect(matchForm(expected)).toBe(expected);
  });
});

describe('decodeLenient', () => {
  it('decodes UTF-8, `+` only when asked, and leaves what does not decode as written', () => {
    expect(decodeLenient('log%20out')).toBe('log out');
    expect(decodeLenient('sign+out')).toBe('sign+out');
    expect(decodeLenient('sign+out', true)).toBe('sign out');
    expect(decodeLenient('%E2%82%AC')).toBe('€');
    expect(decodeLenient('%E2%82')).toBe('%E2%82');
    expect(decodeLenient('100%')).toBe('100%');
  });
});
