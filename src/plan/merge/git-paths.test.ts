import { describe, expect, it } from 'vitest';
import { nulFields, unquotePath } from './git-paths.js';
import { parseNameStatus } from './leaf-commit.js';

describe('unquotePath', () => {
  it('gives plain paths back as they are', () => {
    expect(unquotePath('src/a b.ts')).toBe('src/a b.ts');
    expect(unquotePath('naïve/日本.md')).toBe('naïve/日本.md');
    expect(unquotePath('"')).toBe('"');
  });

  it('undoes the C-style quoting of unusual characters', () => {
    expect(unquotePath('"a\\"b\\\\c"')).toBe('a"b\\c');
    expect(unquotePath('"tab\\there\\nnew\\rline"')).toBe('tab\there\nnew\rline');
    expect(unquotePath('"\\a\\b\\v\\f"')).toBe('\x07\b\v\f');
  });

  it('reads octal escapes as bytes of UTF-8', () => {
    expect(unquotePath('"na\\303\\257ve\\001"')).toBe('naïve\x01');
  });

  it('keeps characters outside the BMP whole next to escapes', () => {
    expect(unquotePath('"😀\\t😀"')).toBe('😀\t😀');
  });
});

describe('nulFields and parseNameStatus', () => {
  it('split -z output without an empty last field', () => {
    expect(nulFields('a\0b\nc\0')).toEqual(['a', 'b\nc']);
    expect(nulFields('')).toEqual([]);
  });

  it('list the changed paths and the added ones', () => {
    expect(parseNameStatus('M\0src/a.ts\0A\0new\nline.ts\0D\0gone.ts\0T\0link\0')).toEqual({
      changed: ['src/a.ts', 'new\nline.ts', 'gone.ts', 'link'],
      added: ['new\nline.ts'],
    });
  });
});
