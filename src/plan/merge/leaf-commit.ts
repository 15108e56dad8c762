import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitRaw } from '../../workspace/index.js';
import { nulFields } from './git-paths.js';
import { compareCodeUnits } from './scope.js';

/**
 * Settings of `git apply` the user's config must not change: a diff is applied as the job wrote it, not
 * with whitespace "fixed", refused for whitespace errors, or matched loosely.
 */
const APPLY_CONFIG = ['-c', 'apply.whitespace=nowarn', '-c', 'apply.ignoreWhitespace=no'];

/** Diff options that make `diff-tree`'s list independent of the user's config. */
const LIST_OPTIONS = ['-r', '--no-renames', '--no-ext-diff', '--no-textconv', '--name-status', '-z'];

/** The commit a leaf's diff made on top of the base, and what it changed. */
export interface LeafCommit {
  readonly kind: 'commit';
  readonly commit: string;
  /** The paths it changed, sorted (code units, as `PlanLeaf.files`). */
  readonly changed: readonly string[];
  /** Those of them that are new (absent from the base). */
  readonly added: readonly string[];
}

/** What building a leaf's commit gave. */
export type LeafCommitResult =
  LeafCommit | { readonly kind: 'unchanged' } | { readonly kind: 'unapplicable'; readonly error: string };

/** Where and how a leaf's commit is built. */
export interface LeafCommitInput {
  /** The repository's top folder (or its git folder when bare). */
  readonly repo: string;
  readonly base: string;
  readonly diff: string;
  /** The commit's whole message, trailer included. */
  readonly message: string;
  /** A folder of this leaf's own for the temporary index and the diff file; removed by the caller. */
  readonly scratch: string;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Applies a leaf's diff onto `base` and commits the result with `base` as its only parent, in a temporary
 * index: the repository's own index, working tree and refs are never written (the commit is reachable from
 * no ref until the merge puts it on the branch).
 */
export async function commitLeaf(input: LeafCommitInput): Promise<LeafCommitResult> {
  const { repo, base, signal } = input;
  await mkdir(input.scratch, { recursive: true });
  const indexFile = join(input.scratch, 'index');
  const diffFile = join(input.scratch, 'diff');
  const listFile = join(input.scratch, 'changed');
  await writeFile(diffFile, input.diff);

  await git(repo, ['read-tree', base], { signal, indexFile });
  const applyArgs = [...APPLY_CONFIG, 'apply', '--cached', '--binary', diffFile];
  const applied = await gitRaw(repo, applyArgs, { signal, indexFile });
  if (applied.exitCode !== 0) return { kind: 'unapplicable', error: applyError(applied.tail) };
  const [tree] = await git(repo, ['write-tree'], { signal, indexFile });

  await git(repo, ['diff-tree', ...LIST_OPTIONS, `--output=${listFile}`, base, tree!], { signal });
  const { changed, added } = parseNameStatus(await readFile(listFile, 'utf8'));
  // A diff can apply and change nothing (a file deleted and added back as it was).
  if (changed.length === 0) return { kind: 'unchanged' };

  const [commit] = await git(repo, ['commit-tree', tree!, '-p', base], { signal, stdin: input.message });
  return { kind: 'commit', commit: commit!, changed: changed.sort(compareCodeUnits), added };
}

/** The paths and the new ones of `diff-tree --name-status -z` output (`M\0a\0A\0b\0`). */
export function parseNameStatus(contents: string): { changed: string[]; added: string[] } {
  const fields = nulFields(contents);
  const changed: string[] = [];
  const added: string[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const path = fields[index + 1]!;
    changed.push(path);
    if (fields[index] === 'A') added.push(path);
  }
  return { changed, added };
}

/**
 * Git's own words on why the diff did not apply, on one line. `git apply` names files and line numbers,
 * never their contents, so the message is safe to store and show.
 */
function applyError(tail: readonly string[]): string {
  const words = tail
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' | ');
  return words === '' ? 'git apply failed without a message' : words;
}
