import { gitFailure, gitRaw } from '../../workspace/index.js';
import { unquotePath } from './git-paths.js';

/** What a trial merge of two commits gave. */
export type TrialMerge =
  | { readonly clean: true; readonly tree: string }
  | { readonly clean: false; readonly files: readonly string[] };

/**
 * Merges `theirs` into `ours` in git's object store only (`git merge-tree --write-tree`, the same
 * merge-ort `git merge` runs, against their merge base): no index, no working tree, no ref is touched.
 * Resolves with the merged tree, or with the paths left in conflict. Any other outcome (a missing object,
 * unrelated histories) rejects with `E_GIT`.
 *
 * The line output is read rather than `-z`: each conflicted path is one (quoted when unusual) line, which
 * `gitRaw` carries exactly however many there are.
 */
export async function trialMerge(
  repo: string,
  ours: string,
  theirs: string,
  signal?: AbortSignal,
): Promise<TrialMerge> {
  const args = ['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs];
  const result = await gitRaw(repo, args, { signal });
  const [tree, ...names] = result.stdout;
  if (result.exitCode === 0 && tree !== undefined && tree !== '') return { clean: true, tree };
  if (result.exitCode === 1) {
    const files = names
      .filter((line) => line !== '')
      .map((line) => realPath(unquotePath(line), [ours, theirs]));
    return { clean: false, files: [...new Set(files)] };
  }
  throw gitFailure(repo, args, result);
}

/**
 * The path a conflicted entry stands for. Where a file and a folder collide, merge-ort moves the file
 * aside to `<path>~<side>` (the side being the commit id we passed); the conflict is about `<path>`.
 */
function realPath(name: string, sides: readonly string[]): string {
  for (const side of sides) {
    if (name.endsWith(`~${side}`)) return name.slice(0, -(side.length + 1));
  }
  return name;
}
