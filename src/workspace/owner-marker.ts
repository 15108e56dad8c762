import { readFile, rm, writeFile, rename } from 'node:fs/promises';

/** Who holds a checkout: written beside it as `<checkout>.owner.json`. */
export interface OwnerMarker {
  /** The process that holds it. */
  readonly pid: number;
  /** `busy`: a job works in it; `idle`: it is clean and waits in the pool. */
  readonly state: 'busy' | 'idle';
  /** The job, when busy. */
  readonly jobId: string | null;
  /** Its sparse directories, or `null` for the whole tree. */
  readonly paths: readonly string[] | null;
}

/** The marker file of a checkout folder. */
export function markerPath(checkout: string): string {
  return `${checkout}.owner.json`;
}

/** Writes the marker atomically (a rename), so a crash never leaves half a file. */
export async function writeMarker(checkout: string, marker: OwnerMarker): Promise<void> {
  const path = markerPath(checkout);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(marker));
  await rename(temporary, path);
}

/** Reads a marker; `undefined` when it is missing or unreadable (which makes the checkout an orphan). */
export async function readMarker(checkout: string): Promise<OwnerMarker | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(markerPath(checkout), 'utf8'));
    return isMarker(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Removes a marker, if there is one. */
export async function removeMarker(checkout: string): Promise<void> {
  await rm(markerPath(checkout), { force: true });
}

/**
 * Whether the process `pid` is alive. `EPERM` means it exists under another user. Our own pid counts as
 * dead here: a marker with it was written by an earlier process that had the same pid (a container
 * restarted), since this process writes markers only for checkouts it tracks.
 */
export function isOtherProcessAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isMarker(value: unknown): value is OwnerMarker {
  if (typeof value !== 'object' || value === null) return false;
  const marker = value as Record<string, unknown>;
  return (
    Number.isInteger(marker.pid) &&
    (marker.pid as number) > 0 &&
    (marker.state === 'busy' || marker.state === 'idle') &&
    (marker.jobId === null || typeof marker.jobId === 'string') &&
    (marker.paths === null ||
      (Array.isArray(marker.paths) && marker.paths.every((path) => typeof path === 'string')))
  );
}
