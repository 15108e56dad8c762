/**
 * Real repositories for the merge tests: a source repository, and leaf diffs made the way a job makes
 * them (a scratch clone at the base, edits, `git add -A`, `git diff --cached --binary <base>`).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GIT_ENV, gitIn, initRepository } from '../../../test/helpers/git.js';
import type { LeafScope } from '../types.js';
import type { LeafChange } from './merge.js';

export { gitIn, writeFiles } from '../../../test/helpers/git.js';

/** Ten lines, so that edits at the top and at the bottom are far enough apart to merge cleanly. */
export const CONFIG_LINES = Array.from({ length: 10 }, (_, index) => `line ${index + 1}`);

/** A small binary file: NUL bytes and bytes that are not UTF-8. */
export const LOGO = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff, 0xfe, 0x00, 0x7f]);

/** The files of the source's first commit (the logo is added as bytes). */
export const SOURCE_FILES = {
  'README.md': '# app\n',
  'src/a/one.ts': 'export const one = 1;\n',
  'src/b/two.ts': 'export const two = 2;\n',
  'src/c/three.ts': 'export const three = 3;\n',
  'shared/config.txt': `${CONFIG_LINES.join('\n')}\n`,
};

/** A temp folder and its removal. */
export function tempDir(prefix: string): { readonly dir: string; readonly remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Makes `dir` a repository on `main` with `SOURCE_FILES` and the logo; resolves to the base commit. */
export function createSource(dir: string): string {
  initRepository(dir, SOURCE_FILES);
  writeBytes(dir, 'assets/logo.bin', LOGO);
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', 'logo');
  return gitIn(dir, 'rev-parse', 'HEAD');
}

/** Writes bytes to `dir/path`, creating folders. */
export function writeBytes(dir: string, path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), bytes);
}

/**
 * The diff a leaf job would hand back: `edit` runs in a scratch clone of `source` at `base`, then
 * everything is staged and diffed against `base` (binary-safe, fixed prefixes, no renames).
 */
export function leafDiff(source: string, base: string, edit: (dir: string) => void): string {
  const scratch = tempDir('flotilla-leaf-');
  try {
    const clone = join(scratch.dir, 'clone');
    execFileSync('git', ['clone', '--quiet', '--shared', '--no-checkout', source, clone], { env: GIT_ENV });
    gitIn(clone, 'checkout', '--quiet', '--detach', base);
    edit(clone);
    gitIn(clone, 'add', '-A');
    return execFileSync(
      'git',
      [
        '-C',
        clone,
        'diff',
        '--cached',
        '--binary',
        '--no-renames',
        '--src-prefix=a/',
        '--dst-prefix=b/',
        base,
      ],
      { env: GIT_ENV, encoding: 'utf8' },
    );
  } finally {
    scratch.remove();
  }
}

/** A leaf as the merge takes it, with its change. */
export function change(
  id: string,
  files: readonly string[],
  diff: string,
  scope: Partial<LeafScope> = {},
): LeafChange {
  return { leaf: { id, files, scope: { dirs: scope.dirs ?? [], trees: scope.trees ?? [] } }, diff };
}

/** Everything of the source repository the merge must leave as it was, except refs under `flotilla/`. */
export function sourceState(dir: string): Record<string, string> {
  const index = createHash('sha256')
    .update(readFileSync(join(dir, '.git', 'index')))
    .digest('hex');
  const quiet = (...args: string[]): string => gitIn(dir, '--no-optional-locks', ...args);
  return {
    index,
    head: quiet('rev-parse', 'HEAD'),
    branch: quiet('symbolic-ref', 'HEAD'),
    status: quiet('status', '--porcelain=v1', '--untracked-files=all'),
    unstaged: quiet('diff', '--no-ext-diff'),
    staged: quiet('diff', '--cached', '--no-ext-diff'),
    worktrees: quiet('worktree', 'list', '--porcelain'),
    refs: quiet('for-each-ref', '--format=%(refname) %(objectname)')
      .split('\n')
      .filter((line) => !line.startsWith('refs/heads/flotilla/'))
      .join('\n'),
  };
}

/** The commits of `branch` after `base`, oldest first: id, parents and the `Flotilla-Run` values. */
export function branchCommits(
  dir: string,
  base: string,
  branch: string,
): { commit: string; parents: string[]; runs: string[]; subject: string }[] {
  const format = '%H%x1f%P%x1f%s%x1f%(trailers:key=Flotilla-Run,valueonly,separator=%x2c)%x1e';
  const out = gitIn(dir, 'log', '--reverse', `--format=${format}`, `${base}..refs/heads/${branch}`);
  return out
    .split('\x1e')
    .map((record) => record.trim())
    .filter((record) => record !== '')
    .map((record) => {
      const [commit, parents, subject, runs] = record.split('\x1f') as [string, string, string, string];
      return { commit, parents: parents.split(' '), runs: runs.split(','), subject };
    });
}
