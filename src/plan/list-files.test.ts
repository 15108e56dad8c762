import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitIn, initRepository, writeFiles } from '../../test/helpers/git.js';
import { decompose } from './decompose.js';
import { listPlanFiles } from './list-files.js';

let dir = '';
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'flotilla-plan-files-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const paths = (files: readonly { path: string }[]): string[] => files.map((file) => file.path).sort();

describe('listPlanFiles', () => {
  it('lists the files git tracks at HEAD, with their sizes: ignored and untracked files never appear', async () => {
    const repo = join(dir, 'app');
    initRepository(repo, {
      '.gitignore': 'dist/\n*.log\n',
      'src/index.ts': 'export {};\n',
      'src/a b/"odd"\tname.ts': 'x',
      'src/naïve.ts': 'y',
    });
    writeFiles(repo, { 'dist/bundle.js': 'built', 'debug.log': 'noise', 'src/untracked.ts': 'new' });
    const source = await listPlanFiles(repo);
    expect(source).toMatchObject({
      root: repo,
      prefix: '',
      git: true,
      commit: gitIn(repo, 'rev-parse', 'HEAD'),
    });
    expect(paths(source.files)).toEqual([
      '.gitignore',
      'src/a b/"odd"\tname.ts',
      'src/index.ts',
      'src/naïve.ts',
    ]);
    expect(source.files.find((file) => file.path === 'src/index.ts')?.bytes).toBe(11);
    // The decomposition of what git lists never holds an ignored file either.
    expect(decompose(source.files).leaves.flatMap((leaf) => leaf.files)).not.toContain('dist/bundle.js');
  });

  it('gives a subfolder paths relative to the repository root, and reads another ref when asked', async () => {
    const repo = join(dir, 'mono');
    initRepository(repo, { 'packages/api/src/a.ts': 'a', 'packages/web/b.ts': 'b', 'README.md': '#' });
    gitIn(repo, 'tag', 'v1');
    writeFiles(repo, { 'packages/api/src/c.ts': 'c' });
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '--quiet', '-m', 'c');
    const source = await listPlanFiles(join(repo, 'packages/api'));
    expect(source).toMatchObject({ root: repo, prefix: 'packages/api' });
    expect(paths(source.files)).toEqual(['packages/api/src/a.ts', 'packages/api/src/c.ts']);
    const tagged = await listPlanFiles(join(repo, 'packages/api'), { ref: 'v1' });
    expect(tagged.commit).toBe(gitIn(repo, 'rev-parse', 'v1^{commit}'));
    expect(paths(tagged.files)).toEqual(['packages/api/src/a.ts']);
    // A folder whose name is a prefix of another's does not pick up the other's files.
    writeFiles(repo, { 'packages/api-old/x.ts': 'x' });
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '--quiet', '-m', 'old');
    expect(paths((await listPlanFiles(join(repo, 'packages/api'))).files)).not.toContain(
      'packages/api-old/x.ts',
    );
  });

  it('refuses a ref that names no commit, and a missing folder, naming the field', async () => {
    const repo = join(dir, 'app');
    initRepository(repo);
    await expect(listPlanFiles(repo, { ref: 'no-such-branch' })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      field: 'ref',
    });
    await expect(listPlanFiles(repo, { ref: '--output=/tmp/x' })).rejects.toMatchObject({ field: 'ref' });
    await expect(listPlanFiles(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      field: 'dir',
    });
  });

  it('lists the index of a repository with no commit yet', async () => {
    const repo = join(dir, 'fresh');
    writeFiles(repo, { 'a.ts': 'abc', 'b/c.ts': 'c', 'ignored.txt': 'i' });
    gitIn(repo, 'init', '--quiet');
    gitIn(repo, 'add', 'a.ts', 'b/c.ts');
    const source = await listPlanFiles(repo);
    expect(source).toMatchObject({ git: true, commit: null });
    expect(source.files.map((file) => [file.path, file.bytes]).sort()).toEqual([
      ['a.ts', 3],
      ['b/c.ts', 1],
    ]);
  });

  it('lists every file of a folder outside any repository, without .git folders or following links', async () => {
    const folder = join(dir, 'plain');
    writeFiles(folder, { 'a.ts': 'a', 'deep/er/b.ts': 'bb', 'vendored/.git/HEAD': 'ref: x' });
    mkdirSync(join(folder, 'empty'));
    symlinkSync(join(dir), join(folder, 'up'));
    writeFileSync(join(folder, 'deep', 'c.ts'), 'ccc');
    const source = await listPlanFiles(folder);
    expect(source).toMatchObject({ root: folder, prefix: '', git: false, commit: null });
    expect(paths(source.files)).toEqual(['a.ts', 'deep/c.ts', 'deep/er/b.ts', 'up']);
    await expect(listPlanFiles(folder, { ref: 'main' })).rejects.toMatchObject({ field: 'ref' });
  });
});
