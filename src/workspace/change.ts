import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOB_BRANCH_PREFIX } from './base-repository.js';
import { git, gitFailure, gitRaw } from './git.js';
import type { WorkspaceChange } from './types.js';

/** The diff options that make output independent of the user's config (prefixes, textconv, colors). */
const DIFF_OPTIONS = [
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--no-renames',
  '--src-prefix=a/',
  '--dst-prefix=b/',
];

const NO_CHANGE: WorkspaceChange = { diff: '', changedFiles: [], commit: null, branch: null };

/**
 * Records what a job changed in its checkout, against `baseCommit`:
 *
 * 1. stage everything, new files included but not ignored ones (`git add -A --sparse`, which also
 *    takes files the job wrote outside its sparse directories);
 * 2. list the changed paths and write the binary-safe diff of the index against the base commit, both
 *    through `--output` files, so no line is split or re-encoded on the way;
 * 3. when something changed, commit what the job did not commit itself (fixed identity from the
 *    environment, no hooks), and point `flotilla/<jobId>` in the warm base at the result.
 *
 * Commits the job made itself are part of the diff and of the branch.
 */
export async function collectChange(
  path: string,
  jobId: string,
  baseCommit: string,
  signal?: AbortSignal,
): Promise<WorkspaceChange> {
  // 1. Stage.
  await git(path, ['add', '--all', '--sparse'], { signal });

  // 2. Paths and diff.
  const scratch = await mkdtemp(join(tmpdir(), 'flotilla-change-'));
  try {
    const namesFile = join(scratch, 'names');
    const diffFile = join(scratch, 'diff');
    const common = ['diff', '--cached', ...DIFF_OPTIONS];
    await Promise.all([
      git(path, [...common, '--name-only', '-z', `--output=${namesFile}`, baseCommit], { signal }),
      git(path, [...common, '--binary', `--output=${diffFile}`, baseCommit], { signal }),
    ]);
    const changedFiles = (await readFile(namesFile, 'utf8')).split('\0').filter((name) => name !== '');
    if (changedFiles.length === 0) return NO_CHANGE;
    const diff = await readFile(diffFile, 'utf8');

    // 3. Commit and branch.
    const staged = await gitRaw(path, ['diff', '--cached', '--quiet'], { signal });
    if (staged.exitCode === 1) {
      const message = `Flotilla job ${jobId}\n\n${changedFiles.length} file(s) changed.\n`;
      await git(path, ['commit', '--quiet', '--no-verify', '--allow-empty-message', '-F', '-'], {
        signal,
        stdin: message,
      });
    } else if (staged.exitCode !== 0) {
      throw gitFailure(path, ['diff', '--cached', '--quiet'], staged);
    }
    const [commit] = await git(path, ['rev-parse', '--verify', 'HEAD'], { signal });
    const branch = `${JOB_BRANCH_PREFIX}${jobId}`;
    await git(path, ['update-ref', '-m', `flotilla: job ${jobId}`, `refs/heads/${branch}`, commit!], {
      signal,
    });
    return { diff, changedFiles: changedFiles.sort(), commit: commit!, branch };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
