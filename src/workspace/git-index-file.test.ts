import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/index.js';
import { git } from './git.js';
import { gitIn, tempDir, writeFiles } from './git-repos.fixture.js';
import { initRepository } from '../../test/helpers/git.js';

let temp: ReturnType<typeof tempDir>;
let repo: string;

beforeEach(() => {
  temp = tempDir('flotilla-git-index-');
  repo = join(temp.dir, 'repo');
  initRepository(repo, { 'a.txt': 'a\n' });
});
afterEach(() => temp.remove());

describe('git() with indexFile', () => {
  it('reads and writes that index, never the repository’s own', async () => {
    writeFiles(repo, { 'b.txt': 'b\n' });
    gitIn(repo, 'add', 'b.txt');
    const own = readFileSync(join(repo, '.git', 'index'));
    const indexFile = join(temp.dir, 'other-index');

    await git(repo, ['read-tree', 'HEAD'], { indexFile });
    const listed = await git(repo, ['ls-files'], { indexFile });

    expect(existsSync(indexFile)).toBe(true);
    expect(listed).toEqual(['a.txt']);
    expect(readFileSync(join(repo, '.git', 'index')).equals(own)).toBe(true);
    expect(await git(repo, ['ls-files'])).toEqual(['a.txt', 'b.txt']);
  });

  it('refuses a relative path, which git would resolve against the repository', async () => {
    await expect(git(repo, ['ls-files'], { indexFile: 'index' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});
