/**
 * Real git repositories in temp folders for the workspace tests, with a fixed identity so commits work on
 * machines without a git config.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gitIn, writeFiles } from '../../test/helpers/git.js';

export { GIT_ENV, gitIn, writeFiles } from '../../test/helpers/git.js';

/** The files of the first commit of `createSource`. */
export const INITIAL_FILES = {
  'README.md': '# app\n',
  '.gitignore': '*.log\n',
  'src/main.ts': 'export const answer = 42;\n',
  'src/lib/util.ts': 'export const util = 1;\n',
  'docs/guide.md': 'guide\n',
  'assets/logo.txt': 'logo\n',
};

/** A source repository: `main` with one commit, tags `v1` (light) and `v1-notes` (annotated), `feature`. */
export function createSource(dir: string): { readonly first: string; readonly feature: string } {
  mkdirSync(dir, { recursive: true });
  gitIn(dir, 'init', '--quiet', '--initial-branch=main');
  writeFiles(dir, INITIAL_FILES);
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', 'first');
  const first = gitIn(dir, 'rev-parse', 'HEAD');
  gitIn(dir, 'tag', 'v1');
  gitIn(dir, 'tag', '-a', 'v1-notes', '-m', 'notes');
  gitIn(dir, 'switch', '--quiet', '-c', 'feature');
  writeFiles(dir, { 'src/feature.ts': 'export const feature = true;\n' });
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', 'feature');
  const feature = gitIn(dir, 'rev-parse', 'HEAD');
  gitIn(dir, 'switch', '--quiet', 'main');
  return { first, feature };
}

/** Adds a commit on the source's current branch; resolves to its id. */
export function commitTo(dir: string, files: Readonly<Record<string, string>>, message = 'more'): string {
  writeFiles(dir, files);
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', message);
  return gitIn(dir, 'rev-parse', 'HEAD');
}

/** A temp folder removed by the returned function. */
export function tempDir(prefix: string): { readonly dir: string; readonly remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The files under `dir`, relative and sorted, without the `.git` file or folder. */
export function listFiles(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .filter((path) => path !== '.git' && !path.startsWith('.git/'))
    .sort();
}
