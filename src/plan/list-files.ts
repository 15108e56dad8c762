import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { gitRaw } from '../workspace/index.js';
import { unquotePath } from './merge/git-paths.js';
import { PlanError } from './plan-error.js';
import type { PlanFile } from './types.js';

/** What the planner splits: the files of a folder, and where they come from. */
export interface PlanSource {
  /** The repository's top level (real path); the folder itself when it is not in a repository. */
  readonly root: string;
  /** The folder relative to `root`, `/`-separated; `''` when it is the root. */
  readonly prefix: string;
  /** Whether the files are the ones git tracks (else every file under the folder). */
  readonly git: boolean;
  /** The commit they were read from (a full sha); `null` outside a repository or before its first commit. */
  readonly commit: string | null;
  /** Paths relative to `root` (not to the folder), so directory keys never depend on where it lives. */
  readonly files: readonly PlanFile[];
}

export interface ListOptions {
  /** The branch, tag or commit to read (a repository only). @default HEAD */
  readonly ref?: string;
  readonly signal?: AbortSignal;
}

/** A submodule's entry: a commit of another repository, not a file of this one. */
const SUBMODULE_MODE = '160000';

/**
 * The files a plan over `dir` is made of: in a git repository, the files of a commit (`ref`, else `HEAD`)
 * under `dir` — so ignored and untracked files never appear, and submodules are left out; in a repository
 * with no commit yet, the files of its index; outside a repository, every file under `dir` (no `.git`
 * folder, symbolic links listed but not followed).
 *
 * @throws PlanError `E_INVALID_ARGUMENT` when `dir` is missing or not a folder (field `dir`) or `ref` names
 *   no commit (field `ref`); `E_REPO_UNAVAILABLE` when git could not list a commit it named.
 */
export async function listPlanFiles(dir: string, options: ListOptions = {}): Promise<PlanSource> {
  const folder = await realFolder(dir);
  const top = await gitRaw(folder, ['rev-parse', '--show-toplevel'], signalOf(options));
  if (top.exitCode !== 0 || top.stdout[0] === undefined) {
    if (options.ref !== undefined) {
      throw new PlanError('E_INVALID_ARGUMENT', `${dir} is not in a git repository: it has no ref`, 'ref');
    }
    return { root: folder, prefix: '', git: false, commit: null, files: await walk(folder, options.signal) };
  }
  const root = await realpath(top.stdout[0]);
  const prefix = relative(root, folder).split(sep).join('/');
  const commit = await commitOf(root, options);
  if (commit === null) {
    return { root, prefix, git: true, commit, files: await indexFiles(root, prefix, options.signal) };
  }
  const listed = await gitRaw(
    root,
    [
      '--literal-pathspecs',
      'ls-tree',
      '-r',
      '-l',
      '--full-tree',
      commit,
      ...(prefix === '' ? [] : ['--', prefix]),
    ],
    signalOf(options),
  );
  if (listed.exitCode !== 0) {
    throw new PlanError(
      'E_REPO_UNAVAILABLE',
      `could not list the files of ${commit} in ${root}: ${listed.tail.join(' | ')}`,
    );
  }
  const files: PlanFile[] = [];
  for (const line of listed.stdout) {
    // `<mode> <type> <object> <size>\t<path>`
    const tab = line.indexOf('\t');
    if (tab === -1) continue;
    const [mode, type, , size] = line.slice(0, tab).split(/\s+/);
    if (mode === SUBMODULE_MODE || type !== 'blob') continue;
    const path = unquotePath(line.slice(tab + 1));
    if (within(path, prefix)) files.push({ path, bytes: Number(size) || 0 });
  }
  return { root, prefix, git: true, commit, files };
}

/**
 * `source` when it is a commit of a repository, as a plan that runs jobs needs (its leaves are checkouts
 * of that commit); a dry run takes any folder.
 * @throws PlanError `E_INVALID_ARGUMENT` (field `dir`) outside a repository or before its first commit.
 */
export function requireCommit(source: PlanSource, dir: string): PlanSource & { readonly commit: string } {
  if (source.git && source.commit !== null) return { ...source, commit: source.commit };
  throw new PlanError(
    'E_INVALID_ARGUMENT',
    source.git
      ? `${dir}: the repository has no commit yet; a plan's leaves start from a commit`
      : `${dir} is not in a git repository: a plan runs its leaves in checkouts of one ` +
          '(`flotilla plan --dry-run` shows the split of any folder)',
    'dir',
  );
}

async function realFolder(dir: string): Promise<string> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new PlanError('E_INVALID_ARGUMENT', `${dir}: no such folder`, 'dir');
  }
  if (!info.isDirectory()) throw new PlanError('E_INVALID_ARGUMENT', `${dir} is not a folder`, 'dir');
  return realpath(dir);
}

/** The commit `ref` (default `HEAD`) names; `null` for the unborn `HEAD` of a repository with no commit. */
async function commitOf(root: string, options: ListOptions): Promise<string | null> {
  const ref = options.ref ?? 'HEAD';
  if (ref === '' || ref.startsWith('-')) {
    throw new PlanError('E_INVALID_ARGUMENT', `ref "${ref}" is not a branch, tag or commit`, 'ref');
  }
  const found = await gitRaw(
    root,
    ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`],
    signalOf(options),
  );
  const sha = found.stdout[0];
  if (found.exitCode === 0 && sha !== undefined) return sha;
  if (options.ref === undefined) return null;
  throw new PlanError('E_INVALID_ARGUMENT', `ref "${ref}" is not a branch, tag or commit of ${root}`, 'ref');
}

/** The index's files under `prefix` (a repository before its first commit), sized from the working tree. */
async function indexFiles(root: string, prefix: string, signal?: AbortSignal): Promise<PlanFile[]> {
  const listed = await gitRaw(
    root,
    ['ls-files', '--stage', '--full-name'],
    signal === undefined ? {} : { signal },
  );
  const paths = new Set<string>();
  for (const line of listed.stdout) {
    // `<mode> <object> <stage>\t<path>`; a conflicted file is listed once per stage.
    const tab = line.indexOf('\t');
    if (tab === -1 || line.startsWith(SUBMODULE_MODE)) continue;
    const path = unquotePath(line.slice(tab + 1));
    if (within(path, prefix)) paths.add(path);
  }
  return Promise.all(
    [...paths].map(async (path) => ({
      path,
      bytes: await lstat(join(root, path)).then(
        (info) => info.size,
        () => 0,
      ),
    })),
  );
}

/** Every file under `folder`, depth first, skipping `.git`; symbolic links are listed, not followed. */
async function walk(folder: string, signal?: AbortSignal): Promise<PlanFile[]> {
  const files: PlanFile[] = [];
  const pending = [''];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    signal?.throwIfAborted();
    const handle = await opendir(next === '' ? folder : join(folder, next));
    for await (const entry of handle) {
      const path = next === '' ? entry.name : `${next}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== '.git') pending.push(path);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push({ path, bytes: (await lstat(join(folder, path))).size });
      }
    }
  }
  return files;
}

function within(path: string, prefix: string): boolean {
  return prefix === '' || path.startsWith(`${prefix}/`);
}

function signalOf(options: ListOptions): { signal?: AbortSignal } {
  return options.signal === undefined ? {} : { signal: options.signal };
}
