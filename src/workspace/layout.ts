import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** A repository key that can be a folder name as it is. */
const PLAIN_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Where a repository's files live under the home folder:
 *
 * ```
 * <home>/workspaces/<repo-key>/base.git        the warm base: a bare clone, refreshed from the source
 * <home>/workspaces/<repo-key>/checkouts/<id>/ one checkout (a worktree of the base)
 * <home>/workspaces/<repo-key>/checkouts/<id>.owner.json   who owns it (see owner-marker.ts)
 * ```
 */
export class RepoLayout {
  /** The repository's folder: `<home>/workspaces/<repo-key>`. */
  readonly root: string;
  /** The warm base. */
  readonly base: string;
  /** The folder of the checkouts and their markers. */
  readonly checkouts: string;

  constructor(workspacesDir: string, key: string) {
    this.root = join(workspacesDir, repoFolderName(key));
    this.base = join(this.root, 'base.git');
    this.checkouts = join(this.root, 'checkouts');
  }

  /** A new, unused checkout folder. */
  newCheckout(): string {
    return join(this.checkouts, `w-${randomBytes(6).toString('hex')}`);
  }
}

/** `<home>/workspaces`. */
export function workspacesDir(home: string): string {
  return join(home, 'workspaces');
}

/**
 * The folder name of a repository key: the key itself when it is a plain name, else a name made of its
 * safe characters and a hash, so that keys with slashes, spaces or dots-only never escape the folder.
 */
export function repoFolderName(key: string): string {
  if (PLAIN_KEY.test(key)) return key;
  const safe = key.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 32);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return `${safe}-${hash}`;
}
