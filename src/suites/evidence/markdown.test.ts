import { describe, expect, it } from 'vitest';
import { ciName } from './environment.js';
import { codeBlock, escapeMarkdown, humanDuration, inlineCode } from './markdown.js';

describe('Markdown helpers', () => {
  it('fences code with more backticks than it holds', () => {
    expect(inlineCode('plain')).toBe('`plain`');
    expect(inlineCode('a `b` c')).toBe('``a `b` c``');
    expect(inlineCode('`edge`')).toBe('`` `edge` ``');
    expect(inlineCode('two\nlines | pipe')).toBe('`two lines | pipe`');
    expect(inlineCode('a|b', true)).toBe('`a\\|b`');
    expect(codeBlock('x ``` y\n')).toBe('````text\nx ``` y\n````');
  });

  it('escapes Markdown in plain text and keeps it on one line', () => {
    expect(escapeMarkdown('a_b *c* [d](e) | <f>\nnext')).toBe(
      'a\\_b \\*c\\* \\[d\\]\\(e\\) \\| \\<f\\> next',
    );
  });

  it('writes durations for people', () => {
    expect(humanDuration(850.4)).toBe('850 ms');
    expect(humanDuration(12_345)).toBe('12.3 s');
    expect(humanDuration(119_700)).toBe('2 min 00 s');
    expect(humanDuration(245_000)).toBe('4 min 05 s');
  });
});

describe('ciName', () => {
  it('names the CI service from its variables, or says there is none', () => {
    expect(ciName({ GITHUB_ACTIONS: 'true', CI: 'true' })).toBe('github-actions');
    expect(ciName({ GITLAB_CI: 'true' })).toBe('gitlab');
    expect(ciName({ CI: '1' })).toBe('ci');
    expect(ciName({ CI: 'false' })).toBeNull();
    expect(ciName({ CI: '' })).toBeNull();
    expect(ciName({})).toBeNull();
  });
});
