import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hasCode } from '../core/index.js';
import { git, gitFailure, gitRaw } from './git.js';
import { WorkspaceError } from './workspace-error.js';

/** Where the base keeps the source's `HEAD`, so a request without a ref follows the source. */
export const SOURCE_HEAD_REF = 'refs/flotilla/source-head';
/** Job branches live here; same-named branches of the source are never fetched over them. */
export const JOB_BRANCH_PREFIX = 'flotilla/';

/**
 * What a refresh fetches: the source's `HEAD`, branches and tags, under the same names (so `main`, `v1`
 * and commits resolve in the base as in the source), except `flotilla/*` branches, which are ours. No
 * `--prune`: it would delete the job branches; a branch deleted in the source stays in the base.
 */
const FETCH_REFSPECS = [
  `+HEAD:${SOURCE_HEAD_REF}`,
  '+refs/heads/*:refs/heads/*',
  `^refs/heads/${JOB_BRANCH_PREFIX}*`,
  '+refs/tags/*:refs/tags/*',
];

/**
 * How many times making a base may start over. The first try links the source's object files (a clone
 * of a local path: fast, and the base costs no disk); a gc or repack in the source meanwhile — git starts
 * `gc --auto` in the background after a large commit — can pack and delete the loose objects the clone
 * has listed, so the clone fails ("failed to copy file to …: No such file or directory") or, worse, ends
 * without them. The next tries clone through the pack protocol (`--no-local`), which reads each object
 * through git's object lookup, loose or in whichever pack holds it at that moment: slower (10,000 small
 * files: ~1.3 s against ~0.2 s), but safe from a concurrent gc.
 */
const CLONE_ATTEMPTS = 3;

/** What `ensureBase` had to do. */
export type BaseRefresh = 'cloned' | 'fetched' | 'fresh';

/**
 * Makes the warm base of `source` at `base` current, cheaply:
 *
 * 1. read the source's refs with one `git show-ref` (refs only: its working tree and index are never
 *    read or written);
 * 2. no base yet → `git clone --bare` (objects hardlinked from a local source) into a temporary folder,
 *    turn on per-worktree config, fetch the refspecs above, drop the source's own `flotilla/*` branches, and rename it into place, so
 *    a crash never leaves half a base; when the source was repacked during the clone, or the clone
 *    failed, start over through the pack protocol (see `CLONE_ATTEMPTS`);
 * 3. otherwise compare with the base's refs (one `git for-each-ref`) and fetch only when a source ref is
 *    missing from the base or points elsewhere.
 *
 * The caller holds the repository's lock.
 */
export async function ensureBase(source: string, base: string, signal?: AbortSignal): Promise<BaseRefresh> {
  if (!existsSync(base)) {
    await sourceRefs(source, signal);
    await cloneBase(source, base, signal);
    return 'cloned';
  }
  const [wanted, have] = await Promise.all([sourceRefs(source, signal), baseRefs(base, signal)]);
  if (!isStale(wanted, have)) return 'fresh';
  await fetchInto(source, base, signal);
  return 'fetched';
}

/** A full commit id (SHA-1 or SHA-256). */
const FULL_COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Resolves a branch, tag, ref name or commit to a commit id in the base; `HEAD` means the source's.
 * A full commit id the base lacks is fetched from `source` when a ref of the source points at it: how a
 * job starts from a commit that only a `flotilla/*` branch holds (a plan's result branch, which the
 * refresh never fetches). Rejects with `E_REF_UNKNOWN` when there is no such commit.
 */
export async function resolveCommit(
  base: string,
  repo: string,
  ref: string,
  options: { readonly source?: string; readonly signal?: AbortSignal | undefined } = {},
): Promise<string> {
  const { signal, source } = options;
  const name = ref === 'HEAD' ? SOURCE_HEAD_REF : ref;
  const lookup = (): Promise<string | undefined> =>
    gitRaw(base, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${name}^{commit}`], {
      signal,
    }).then((result) => (result.exitCode === 0 ? result.stdout[0] : undefined));
  let commit = await lookup();
  if (commit === undefined && source !== undefined && FULL_COMMIT_ID.test(ref)) {
    const args = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules'];
    const fetched = await gitRaw(base, [...args, source, ref], { signal });
    if (fetched.exitCode === 0) commit = await lookup();
  }
  if (commit === undefined) {
    throw new WorkspaceError('E_REF_UNKNOWN', `Unknown ref ${JSON.stringify(ref)} in repository "${repo}"`);
  }
  return commit;
}

/**
 * Whether the base lacks a ref of the source or has it elsewhere. A ref only the base has (a branch the
 * source deleted, a job branch) does not count, so it does not cause a fetch on every prepare.
 */
export function isStale(wanted: ReadonlyMap<string, string>, have: ReadonlyMap<string, string>): boolean {
  for (const [ref, id] of wanted) if (have.get(ref) !== id) return true;
  return false;
}

/** The source's refs as the base names them: `HEAD` → `SOURCE_HEAD_REF`, without `flotilla/*` branches. */
async function sourceRefs(source: string, signal?: AbortSignal): Promise<Map<string, string>> {
  const args = ['show-ref', '--head', '--heads', '--tags'];
  const result = existsSync(source) ? await gitRaw(source, args, { signal }) : undefined;
  // show-ref exits 1 with no output when there are no refs at all (a repository without commits).
  if (result === undefined || (result.exitCode !== 0 && result.exitCode !== 1)) {
    const words = result === undefined ? 'no such folder' : result.tail.join(' | ');
    throw new WorkspaceError('E_REPO_UNAVAILABLE', `The repository at ${source} cannot be read: ${words}`);
  }
  const refs = new Map<string, string>();
  for (const line of result.stdout) {
    const [id, ref] = line.split(' ', 2);
    if (id === undefined || ref === undefined || ref.startsWith(`refs/heads/${JOB_BRANCH_PREFIX}`)) continue;
    refs.set(ref === 'HEAD' ? SOURCE_HEAD_REF : ref, id);
  }
  return refs;
}

async function baseRefs(base: string, signal?: AbortSignal): Promise<Map<string, string>> {
  const lines = await git(
    base,
    ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads', 'refs/tags', SOURCE_HEAD_REF],
    { signal },
  );
  const refs = new Map<string, string>();
  for (const line of lines) {
    const [id, ref] = line.split(' ', 2);
    if (id !== undefined && ref !== undefined) refs.set(ref, id);
  }
  return refs;
}

/** Makes the base at `base` in `CLONE_ATTEMPTS` tries at most; see there. */
async function cloneBase(source: string, base: string, signal?: AbortSignal): Promise<void> {
  let failure: unknown;
  for (let attempt = 1; attempt <= CLONE_ATTEMPTS; attempt++) {
    try {
      if (await tryCloneBase(source, base, attempt === 1, signal)) return;
      failure = new WorkspaceError('E_GIT', `The repository at ${source} was repacked while it was cloned`);
    } catch (error) {
      // A cancel, or git that cannot start, is not a race with a gc.
      if (!hasCode(error, 'E_GIT')) throw error;
      failure = error;
    }
  }
  throw failure;
}

/**
 * One try of `cloneBase`: its object files linked (`linked`) or through the pack protocol. Resolves to
 * `false`, leaving no base, when the source's packs changed during a linked clone: a gc deletes loose
 * objects only once a pack holding them is in `objects/pack`, and old packs only then too, so a listing
 * that did not change means the clone lost nothing.
 */
async function tryCloneBase(
  source: string,
  base: string,
  linked: boolean,
  signal?: AbortSignal,
): Promise<boolean> {
  const temporary = `${base}.tmp-${process.pid}-${Date.now()}`;
  try {
    const packsBefore = linked ? await packNames(source, signal) : undefined;
    const parent = join(temporary, '..');
    const how = linked ? [] : ['--no-local'];
    const clone = ['clone', '--bare', '--quiet', '--no-tags', ...how, '--', source, temporary];
    const result = await gitRaw(parent, clone, { signal });
    if (result.exitCode !== 0) throw gitFailure(parent, clone, result);
    await enableWorktreeConfig(temporary, signal);
    await fetchInto(source, temporary, signal);
    const theirs = await git(
      temporary,
      ['for-each-ref', '--format=%(refname)', `refs/heads/${JOB_BRANCH_PREFIX}`],
      {
        signal,
      },
    );
    if (theirs.length > 0) {
      const stdin = theirs.map((ref) => `delete ${ref}\n`).join('');
      await git(temporary, ['update-ref', '--stdin'], { signal, stdin });
    }
    if (packsBefore !== undefined && packsBefore !== (await packNames(source, signal))) return false;
    await rename(temporary, base);
    return true;
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** The names in the source's `objects/pack` (packs, their indexes, temporary packs being written), sorted. */
async function packNames(source: string, signal?: AbortSignal): Promise<string> {
  const [path = 'objects/pack'] = await git(source, ['rev-parse', '--git-path', 'objects/pack'], { signal });
  const names = await readdir(resolve(source, path)).catch(() => []);
  return names.sort().join('\n');
}

async function fetchInto(source: string, base: string, signal?: AbortSignal): Promise<void> {
  await git(
    base,
    [
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--no-recurse-submodules',
      source,
      ...FETCH_REFSPECS,
    ],
    { signal },
  );
}

/**
 * Turns on per-worktree configuration in a new base, as `git sparse-checkout` would on first use (moving
 * `core.bare` to the base's own `config.worktree`), so that sparse settings later write only a checkout's
 * own config file and never race on the shared one outside the lock.
 */
async function enableWorktreeConfig(base: string, signal?: AbortSignal): Promise<void> {
  await git(base, ['config', 'extensions.worktreeConfig', 'true'], { signal });
  await git(base, ['config', '--worktree', 'core.bare', 'true'], { signal });
  await git(base, ['config', '--unset', 'core.bare'], { signal });
}
