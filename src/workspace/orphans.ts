import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { deleteCheckout, pruneCheckouts } from './checkout.js';
import { isOtherProcessAlive, readMarker } from './owner-marker.js';

/** The marker file's suffix (see owner-marker.ts). */
const MARKER_SUFFIX = '.owner.json';

/** A clean checkout left idle by an earlier process, which the manager may adopt into its pool. */
export interface LeftIdle {
  readonly path: string;
  readonly paths: readonly string[] | null;
}

/** What a scan of one repository folder found. */
export interface OrphanScan {
  /** Checkouts an earlier process left in its pool, clean. */
  readonly idle: LeftIdle[];
  /** How many orphans were removed. */
  readonly removed: number;
}

/**
 * Collects the orphans of a crash in one repository folder (`<home>/workspaces/<key>`):
 *
 * 1. half-made bases (`base.git.tmp-*`) and half-written markers are deleted;
 * 2. a checkout whose marker is missing or unreadable, or says `busy` for a process that is dead (or has
 *    our pid, so an earlier process's), is deleted: a job was working in it when its process died;
 * 3. a checkout marked `idle` by a dead process was clean in its pool: it is returned for adoption;
 * 4. a marker without its checkout is deleted, and the base forgets the worktrees whose folders are gone.
 *
 * Checkouts of another live process, and those `isOurs` says this manager holds, are left alone.
 */
export async function collectOrphans(root: string, isOurs: (path: string) => boolean): Promise<OrphanScan> {
  const base = join(root, 'base.git');
  const checkouts = join(root, 'checkouts');
  const idle: LeftIdle[] = [];
  let removed = 0;
  // 1. Half-made things.
  for (const name of await list(root)) {
    if (name.startsWith('base.git.tmp-')) await rm(join(root, name), { recursive: true, force: true });
  }
  const names = await list(checkouts);
  for (const name of names) {
    const path = join(checkouts, name);
    if (name.includes(`${MARKER_SUFFIX}.`)) {
      await rm(path, { force: true });
    } else if (name.endsWith(MARKER_SUFFIX)) {
      // 4. A marker alone.
      if (!existsSync(path.slice(0, -MARKER_SUFFIX.length))) await rm(path, { force: true });
    } else if (!isOurs(path)) {
      // 2 and 3. A checkout.
      const marker = await readMarker(path);
      if (marker !== undefined && isOtherProcessAlive(marker.pid)) continue;
      if (marker?.state === 'idle') {
        idle.push({ path, paths: marker.paths });
      } else {
        await deleteCheckout(path);
        removed++;
      }
    }
  }
  if (existsSync(base)) await pruneCheckouts(base);
  return { idle, removed };
}

/** The folders of `<home>/workspaces`, one per repository ever used. */
export async function repositoryFolders(workspacesDir: string): Promise<string[]> {
  const entries = await readdir(workspacesDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => join(workspacesDir, entry.name));
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
