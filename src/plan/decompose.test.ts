import { describe, expect, it } from 'vitest';
import { decompose, planId } from './decompose.js';
import { PlanError } from './plan-error.js';
import type { Decomposition, PlanFile, PlanNode } from './types.js';

const file = (path: string, bytes = 400): PlanFile => ({ path, bytes });

/** Every leaf's files, in leaf order. */
const allFiles = (plan: Decomposition): string[] => plan.leaves.flatMap((leaf) => leaf.files);

/** A deterministic shuffle (a linear congruential generator), so a failure replays. */
function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let state = seed;
  for (let index = out.length - 1; index > 0; index -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = state % (index + 1);
    [out[index], out[other]] = [out[other]!, out[index]!];
  }
  return out;
}

/** A tree of `fanout` folders per level, `depth` levels, `perFolder` files in every folder. */
function tree(depth: number, fanout: number, perFolder: number, prefix = ''): PlanFile[] {
  const files: PlanFile[] = [];
  for (let n = 0; n < perFolder; n += 1) files.push(file(`${prefix}f${n}.ts`));
  if (depth === 0) return files;
  for (let child = 0; child < fanout; child += 1)
    files.push(...tree(depth - 1, fanout, perFolder, `${prefix}d${child}/`));
  return files;
}

function leafDepths(node: PlanNode): number[] {
  return node.children.length === 0 ? [node.depth] : node.children.flatMap(leafDepths);
}

describe('decompose', () => {
  it('keeps a small project shallow: a project of under 50 files splits once, by its top folders', () => {
    const files = [
      file('README.md'),
      file('package.json'),
      ...Array.from({ length: 20 }, (_, n) => file(`src/module${n}.ts`)),
      ...Array.from({ length: 15 }, (_, n) => file(`test/module${n}.test.ts`)),
      ...Array.from({ length: 5 }, (_, n) => file(`docs/page${n}.md`)),
    ];
    const plan = decompose(files);
    expect(plan.stats).toEqual({ files: 42, leaves: 4, max_depth: 1 });
    expect(plan.leaves.map((leaf) => leaf.path)).toEqual(['./*', 'docs', 'src', 'test']);
    expect(plan.leaves[0]).toMatchObject({
      files: ['README.md', 'package.json'],
      sparse: [],
      scope: { dirs: [''], trees: [] },
    });
    expect(plan.leaves[2]).toMatchObject({ depth: 1, sparse: ['src'], scope: { dirs: [], trees: ['src'] } });
    // A project within the bounds is one leaf at the root.
    expect(decompose(files.slice(0, 10)).leaves).toEqual([
      expect.objectContaining({ path: '.', depth: 0, scope: { dirs: [], trees: [''] } }),
    ]);
  });

  it('splits a 2,000-file tree over 4+ levels to depth ≥ 4, every leaf within bounds, every file once', () => {
    // 5 levels of 4 folders, 2 files in every folder: 2 × (4^0 + … + 4^5) = 2,730 files; cut to 2,000.
    const files = tree(5, 4, 2).slice(0, 2000);
    expect(files).toHaveLength(2000);
    const plan = decompose(files);
    expect(plan.stats.files).toBe(2000);
    expect(plan.stats.max_depth).toBeGreaterThanOrEqual(4);
    expect(plan.stats.max_depth).toBeLessThanOrEqual(8);
    for (const leaf of plan.leaves) {
      expect(leaf.files.length).toBeLessThanOrEqual(25);
      expect(leaf.tokens).toBeLessThanOrEqual(60_000);
      expect(leaf.files.length).toBeGreaterThan(0);
    }
    const listed = allFiles(plan);
    expect(listed).toHaveLength(2000);
    expect(new Set(listed)).toEqual(new Set(files.map((entry) => entry.path)));
    expect(Math.max(...leafDepths(plan.root))).toBe(plan.stats.max_depth);
    expect(plan.stats.leaves).toBe(plan.leaves.length);
  });

  it('splits on the token bound as well as the file bound', () => {
    const files = Array.from({ length: 10 }, (_, n) => file(`src/big${n}.ts`, 40_000));
    const plan = decompose(files, { maxTokens: 25_000 });
    // 10,000 tokens each: two fit a leaf of at most 25,000.
    expect(plan.leaves.map((leaf) => leaf.files.length)).toEqual([2, 2, 2, 2, 2]);
    expect(plan.leaves.every((leaf) => leaf.tokens <= 25_000)).toBe(true);
    // A single file larger than the bound is a leaf of its own, the only leaf that may exceed it.
    const huge = decompose([file('a/huge.bin', 1_000_000), file('a/small.ts')], { maxTokens: 1000 });
    expect(huge.leaves.map((leaf) => [leaf.files, leaf.tokens])).toEqual([
      [['a/huge.bin'], 250_000],
      [['a/small.ts'], 100],
    ]);
  });

  it('groups consecutive small siblings, and keeps a big one alone', () => {
    const files = [
      ...['a', 'b', 'c', 'd'].map((name) => file(`lib/${name}/index.ts`)),
      ...Array.from({ length: 20 }, (_, n) => file(`lib/m/part${n}.ts`)),
      file('lib/n/x.ts'),
      file('lib/o/y.ts'),
      file('lib/p/z.ts'),
    ];
    const plan = decompose(files, { maxFiles: 20 });
    expect(plan.leaves.map((leaf) => leaf.path)).toEqual(['lib/{a,b,c,d}', 'lib/m', 'lib/{n,o,p}']);
    expect(plan.leaves[0]!.scope).toEqual({ dirs: [], trees: ['lib/a', 'lib/b', 'lib/c', 'lib/d'] });
    expect(plan.leaves[0]!.sparse).toEqual(['lib/a', 'lib/b', 'lib/c', 'lib/d']);
  });

  it('is the same tree with the same ids whatever order the files come in, and a changed file set changes ids', () => {
    const files = tree(4, 3, 3);
    const first = decompose(files);
    const again = decompose(shuffled(files));
    expect(again).toEqual(first);
    expect(new Set(first.leaves.map((leaf) => leaf.id)).size).toBe(first.leaves.length);
    for (const leaf of first.leaves) expect(leaf.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(planId('task', first.leaves)).toBe(planId('task', again.leaves));
    expect(planId('task', first.leaves)).toMatch(/^[0-9a-f]{10}$/);
    expect(planId('other task', first.leaves)).not.toBe(planId('task', first.leaves));
    const fewer = decompose(files.slice(1));
    expect(fewer.leaves[0]!.id).not.toBe(first.leaves[0]!.id);
  });

  it('ends when nothing can split: a flat folder of 500 files is cut into parts in path order', () => {
    const files = Array.from({ length: 500 }, (_, n) => file(`flat/f${String(n).padStart(3, '0')}.ts`));
    const plan = decompose(files);
    expect(plan.stats).toEqual({ files: 500, leaves: 20, max_depth: 1 });
    expect(plan.leaves[0]!.path).toBe('flat (1/20)');
    expect(plan.leaves[0]!.files[0]).toBe('flat/f000.ts');
    expect(plan.leaves.at(-1)!.files.at(-1)).toBe('flat/f499.ts');
    expect(allFiles(plan)).toEqual(files.map((entry) => entry.path));
    // Parts share a folder: none may add files to it.
    expect(plan.leaves[0]!.scope).toEqual({ dirs: [], trees: [] });
  });

  it('ends on a 200-deep chain of folders, never deeper than max_depth', () => {
    const files: PlanFile[] = [];
    let folder = '';
    for (let level = 0; level < 200; level += 1) {
      folder += `l${level}/`;
      files.push(file(`${folder}f.ts`));
    }
    const plan = decompose(files, { maxDepth: 8 });
    expect(plan.stats.max_depth).toBeLessThanOrEqual(8);
    expect(allFiles(plan).sort()).toEqual(files.map((entry) => entry.path).sort());
    expect(plan.leaves.every((leaf) => leaf.files.length <= 25)).toBe(true);
  });

  it('keys folders on paths from the repository root: a subfolder plan is not one bucket', () => {
    const files = [...tree(2, 3, 10, 'packages/app/')];
    const plan = decompose(files, { maxFiles: 10 });
    // The single folders down to packages/app/ cost no depth; the split starts there.
    expect(plan.root.path).toBe('packages/app');
    expect(plan.leaves.length).toBeGreaterThan(4);
    expect(plan.leaves.every((leaf) => leaf.path.startsWith('packages/app'))).toBe(true);
  });

  it('refuses bad bounds and bad files, naming the field', () => {
    expect(() => decompose([], { maxFiles: 0 })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT', field: 'max_files' }),
    );
    expect(() => decompose([], { maxDepth: 1.5 })).toThrow(/max_depth must be an integer/);
    expect(() => decompose([file('a/../b')])).toThrow(PlanError);
    expect(() => decompose([file('/etc/passwd')])).toThrow(/files\[0\]\.path/);
    expect(() => decompose([file('a'), file('a')])).toThrow(/twice/);
    expect(decompose([]).stats).toEqual({ files: 0, leaves: 0, max_depth: 0 });
  });

  it('decomposes 100,000 paths', () => {
    const files = tree(5, 7, 6).slice(0, 100_000);
    const plan = decompose(files);
    expect(allFiles(plan)).toHaveLength(files.length);
  });
});
