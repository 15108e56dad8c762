import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError, lineAndColumn } from './json-syntax.js';

describe('findJsonSyntaxError', () => {
  it('accepts what JSON.parse accepts', () => {
    const texts = [
      '{}',
      '[]',
      ' {"a": [1, -2.5e3, true, false, null, "s\\n\\u00e9\\"\\\\"], "b": {"c": {}}} ',
      '"just a string"',
      '0',
      '\n[\n]\n',
    ];
    for (const text of texts) {
      expect(() => JSON.parse(text) as unknown).not.toThrow();
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it.each([
    ['{"a": 1,}', 1, 9, `expected a "key" in quotes, found '}'`],
    ['[1 2]', 1, 4, "expected ',' or ']', found '2'"],
    ['{"a" 1}', 1, 6, "expected ':' after the key, found '1'"],
    ['[01]', 1, 3, "expected ',' or ']', found '1'"],
    ['["a\tb"]', 1, 4, 'a string that does not end, or holds a bad escape or a raw control character'],
    ['["\\x"]', 1, 4, 'a string that does not end, or holds a bad escape or a raw control character'],
    ['{"a": tru}', 1, 7, "expected a value, found 't'"],
    ['{}\n{}', 2, 1, "unexpected '{' after the end of the document"],
    ['[\n  1,\n  ', 3, 3, 'expected a value, found the end of the file'],
    ['{"a": -}', 1, 7, 'a malformed number'],
  ])('%j: %i:%i %s', (text, line, column, reason) => {
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(findJsonSyntaxError(text)).toEqual({ line, column, reason });
  });

  it('is not fooled by a depth that would overflow a recursive reader', () => {
    const deep = '['.repeat(200_000);
    expect(findJsonSyntaxError(deep)).toEqual({
      line: 1,
      column: 200_001,
      reason: 'expected a value, found the end of the file',
    });
  });
});

describe('lineAndColumn', () => {
  it('counts lines from 1 and columns from 1', () => {
    expect(lineAndColumn('ab\ncd\n', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd\n', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\n', 6)).toEqual({ line: 3, column: 1 });
  });
});
