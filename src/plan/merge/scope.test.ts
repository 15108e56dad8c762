import { describe, expect, it } from 'vitest';
import { scopeViolations, type ScopedLeaf } from './scope.js';

function leaf(files: string[], dirs: string[] = [], trees: string[] = []): ScopedLeaf {
  return { files, scope: { dirs, trees } };
}

describe('scopeViolations', () => {
  it('accepts changes to the leaf’s own files', () => {
    expect(scopeViolations(leaf(['src/a.ts', 'src/b.ts']), ['src/b.ts', 'src/a.ts'])).toEqual([]);
  });

  it('flags a file of another leaf, sorted and once', () => {
    const own = leaf(['src/a.ts'], ['src']);
    expect(scopeViolations(own, ['lib/z.ts', 'src/a.ts', 'lib/b.ts', 'lib/z.ts'], [])).toEqual([
      'lib/b.ts',
      'lib/z.ts',
    ]);
  });

  it('accepts a new file directly in a scope folder, not in its subfolders', () => {
    const own = leaf(['src/a.ts'], ['src']);
    expect(scopeViolations(own, ['src/new.ts', 'src/deep/new.ts'])).toEqual(['src/deep/new.ts']);
  });

  it('accepts a new file anywhere under a scope tree, and not beside it', () => {
    const own = leaf(['src/api/a.ts'], [], ['src/api']);
    const changed = ['src/api/x/y/z.ts', 'src/api.ts', 'src/apix/new.ts'];
    expect(scopeViolations(own, changed)).toEqual(['src/api.ts', 'src/apix/new.ts']);
  });

  it('reads the tree "" as the whole repository and the dir "" as the root folder', () => {
    expect(scopeViolations(leaf([], [], ['']), ['a.ts', 'deep/down/b.ts'])).toEqual([]);
    expect(scopeViolations(leaf([], ['']), ['a.ts', 'deep/b.ts'])).toEqual(['deep/b.ts']);
  });

  it('takes scope folders spelled with a trailing slash or ./', () => {
    expect(scopeViolations(leaf([], ['./src/'], ['lib/']), ['src/a.ts', 'lib/x/b.ts'])).toEqual([]);
    expect(scopeViolations(leaf([], [], ['.']), ['any/where.ts'])).toEqual([]);
  });

  it('with the added files known, counts only those as new: editing or deleting a base file in scope is flagged', () => {
    const own = leaf(['src/a.ts'], ['src'], ['lib']);
    const changed = ['src/a.ts', 'src/new.ts', 'src/other.ts', 'lib/old.ts', 'lib/fresh.ts'];
    expect(scopeViolations(own, changed, new Set(['src/new.ts', 'lib/fresh.ts']))).toEqual([
      'lib/old.ts',
      'src/other.ts',
    ]);
  });

  it('flags nothing for nothing changed', () => {
    expect(scopeViolations(leaf(['a.ts']), [])).toEqual([]);
  });
});
