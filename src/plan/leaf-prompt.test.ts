import { describe, expect, it } from 'vitest';
import { DEFAULT_LEAF_PROMPT, leafPrompt } from './leaf-prompt.js';
import { RECONCILE_DIFF_BUDGET, reconcilePrompt } from './reconcile.js';

const leaf = { id: 'src-api-3f2a1c', path: 'src/api', files: ['src/api/a.ts', 'src/api/b.ts'] };

describe('leafPrompt', () => {
  it('puts the task, the files (one a line), the path and the leaf id into the template', () => {
    expect(leafPrompt('{task} | {path} | {leaf_id}\n{files}', 'Use the logger', leaf)).toBe(
      'Use the logger | src/api | src-api-3f2a1c\nsrc/api/a.ts\nsrc/api/b.ts',
    );
    const prompt = leafPrompt(DEFAULT_LEAF_PROMPT, 'Use the logger', leaf);
    expect(prompt.startsWith('Use the logger\n')).toBe(true);
    expect(prompt).toContain('Your part is src/api (plan leaf src-api-3f2a1c)');
    expect(prompt).toContain('\nsrc/api/a.ts\nsrc/api/b.ts\n');
  });

  it('substitutes in one pass: a task holding {files} stays as written, other braces are left alone', () => {
    expect(leafPrompt('{task} {files}', 'Rename {files} to {paths}', leaf)).toBe(
      'Rename {files} to {paths} src/api/a.ts\nsrc/api/b.ts',
    );
    expect(leafPrompt('{task} {unknown} {}', 'T', leaf)).toBe('T {unknown} {}');
  });
});

describe('reconcilePrompt', () => {
  it('lists the conflicting files once, then each leaf’s diff, quoting no more than the budget', () => {
    const small = 'diff --git a/README.md b/README.md\n+one\n';
    const big = `diff --git a/big b/big\n${'+x\n'.repeat(RECONCILE_DIFF_BUDGET)}`;
    const prompt = reconcilePrompt('Use the logger', [
      { leaf: { id: 'src-a-111111', path: 'src/a' }, files: ['README.md', 'src/a/x.ts'], diff: small },
      { leaf: { id: 'src-b-222222', path: 'src/b' }, files: ['README.md', 'src/b/y.ts'], diff: big },
    ]);
    const lines = prompt.split('\n');
    expect(lines[0]).toBe('Use the logger');
    expect(lines.filter((line) => line === 'README.md')).toHaveLength(1);
    expect(lines).toEqual(expect.arrayContaining(['src/a/x.ts', 'src/b/y.ts']));
    expect(prompt).toContain(`Part src/a (plan leaf src-a-111111) made this change`);
    expect(prompt).toContain('```diff\ndiff --git a/README.md b/README.md\n+one\n```');
    expect(prompt).toContain(`its diff, ${big.length} bytes, is too long to quote here`);
    expect(prompt.length).toBeLessThan(RECONCILE_DIFF_BUDGET);
  });
});
