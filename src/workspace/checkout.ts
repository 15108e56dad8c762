import { rm } from 'node:fs/promises';
import { git } from './git.js';
import { removeMarker } from './owner-marker.js';

/**
 * The git steps on one checkout. A checkout is a linked worktree of the warm base: it shares the base's
 * objects and refs on disk (a commit made in it is at once in the base), has its own index and `HEAD`,
 * and is always detached, so no two checkouts ever hold the same branch.
 *
 * Steps that write the base's own files (`addCheckout`, `pruneCheckouts`) run under the repository's
 * lock; steps inside one checkout run outside it: the checkout belongs to one job.
 */

/** Registers a worktree of `base` at `path`, detached at `commit`, without writing its files yet. */
export async function addCheckout(
  base: string,
  path: string,
  commit: string,
  signal?: AbortSignal,
): Promise<void> {
  await git(base, ['worktree', 'add', '--quiet', '--detach', '--no-checkout', path, commit], { signal });
}

/** Writes the files of a checkout made by `addCheckout`: its sparse directories first, then the tree. */
export async function populateCheckout(
  path: string,
  paths: readonly string[] | null,
  signal?: AbortSignal,
): Promise<void> {
  if (paths !== null) await setSparse(path, paths, signal);
  await git(path, ['reset', '--quiet', '--hard'], { signal });
}

/** Moves a clean checkout to `commit`, writing only the files that differ. */
export async function moveCheckout(path: string, commit: string, signal?: AbortSignal): Promise<void> {
  await git(path, ['checkout', '--quiet', '--force', '--detach', commit], { signal });
}

/**
 * Limits a checkout to `paths` (cone mode: those directories, plus the files directly in the root and in the folders above them), or gives it
 * the whole tree again with `null`. Paths go through standard input, so none is read as an option.
 */
export async function setSparse(
  path: string,
  paths: readonly string[] | null,
  signal?: AbortSignal,
): Promise<void> {
  if (paths === null) {
    await git(path, ['sparse-checkout', 'disable'], { signal });
    return;
  }
  const stdin = paths.map((dir) => `${dir}\n`).join('');
  await git(path, ['sparse-checkout', 'set', '--cone', '--stdin'], { signal, stdin });
}

/**
 * Makes a used checkout as clean as a fresh one and resolves to its `HEAD` commit: tracked files back as
 * committed (`reset --hard`, which also ends a merge left half-way), every untracked and ignored file
 * gone (`clean -ffdx`, nested repositories too), `HEAD` detached again if the job switched to a branch.
 */
export async function resetCheckout(path: string, signal?: AbortSignal): Promise<string> {
  await git(path, ['reset', '--quiet', '--hard'], { signal });
  await git(path, ['clean', '-ffdxq'], { signal });
  await git(path, ['checkout', '--quiet', '--detach'], { signal });
  const [head] = await git(path, ['rev-parse', '--verify', 'HEAD'], { signal });
  return head ?? '';
}

/** Deletes a checkout's folder and marker; `pruneCheckouts` then forgets it in the base. */
export async function deleteCheckout(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await removeMarker(path);
}

/** Forgets, in the base, the worktrees whose folders are gone. */
export async function pruneCheckouts(base: string, signal?: AbortSignal): Promise<void> {
  await git(base, ['worktree', 'prune'], { signal });
}
