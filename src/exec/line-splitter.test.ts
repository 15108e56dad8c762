import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

/** Feeds `chunks` to a splitter and returns every line it emitted, `end()` included. */
function split(chunks: readonly (string | Uint8Array)[], maxLineBytes = 1024): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter(maxLineBytes, (line) => lines.push(line));
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

/** Splits `text`'s bytes into chunks of `size` bytes, cutting characters wherever they fall. */
function bytesOf(text: string, size: number): Uint8Array[] {
  const bytes = Buffer.from(text);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

describe('LineSplitter', () => {
  it('splits on \\n and on \\r\\n, keeping empty lines and a lone \\r', () => {
    expect(split(['a\nb\r\n\nc\rd\n'])).toEqual(['a', 'b', '', 'c\rd']);
  });

  it('joins a line that arrives in several chunks', () => {
    expect(split(['hel', 'lo', ' wor', 'ld\nnext', '\n'])).toEqual(['hello world', 'next']);
  });

  it('recognizes \\r\\n split between two chunks', () => {
    expect(split(['one\r', '\ntwo\r', '\n'])).toEqual(['one', 'two']);
  });

  it('emits a last line without a line ending at the end, and nothing more after a final \\n', () => {
    expect(split(['a\nlast'])).toEqual(['a', 'last']);
    expect(split(['a\n'])).toEqual(['a']);
    expect(split([])).toEqual([]);
    expect(split(['tail\r'])).toEqual(['tail']);
  });

  it('decodes characters split between chunks at every byte', () => {
    const text = 'héllo wörld ✓ 🚀\nnaïve 日本語\n';
    for (const size of [1, 2, 3, 5]) {
      expect(split(bytesOf(text, size))).toEqual(['héllo wörld ✓ 🚀', 'naïve 日本語']);
    }
  });

  it('splits an over-long line into pieces of at most maxLineBytes', () => {
    expect(split(['abcdefghij\nxy\n'], 4)).toEqual(['abcd', 'efgh', 'ij', 'xy']);
    expect(split(['abc', 'def', 'ghij', 'k\n'], 4)).toEqual(['abcd', 'efgh', 'ijk']);
  });

  it('emits a line of exactly maxLineBytes whole, with or without \\r\\n', () => {
    expect(split(['abcd\nefgh\r\nijkl'], 4)).toEqual(['abcd', 'efgh', 'ijkl']);
    expect(split(['abcd\r', '\n'], 4)).toEqual(['abcd']);
  });

  it('never cuts a multi-byte character when splitting a long line', () => {
    // 'é' is 2 bytes, '🚀' is 4: a cut at 5 bytes falls inside a character and moves back.
    const pieces = split(['aééé🚀🚀b\n'], 5);
    expect(pieces.join('')).toBe('aééé🚀🚀b');
    expect(pieces).toEqual(['aéé', 'é', '🚀', '🚀b']);
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(5);
    expect(pieces.join('')).not.toContain('\uFFFD');
  });

  it('keeps a character whole even when it is longer than maxLineBytes', () => {
    expect(split(['🚀🚀\n'], 2)).toEqual(['🚀', '🚀']);
  });

  it('splits long lines the same way whatever the chunking', () => {
    const text = `${'x'.repeat(10)}é${'y'.repeat(7)}\n`;
    const whole = split([text], 6);
    for (const size of [1, 3, 4]) expect(split(bytesOf(text, size), 6)).toEqual(whole);
    expect(whole.join('')).toBe(text.trimEnd());
  });
});
