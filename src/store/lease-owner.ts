import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** The owners this process made: with our pid, an owner not among them was an earlier process's. */
const ownersOfThisProcess = new Set<string>();

/**
 * A lease owner id: `HOST:PID:RANDOM`. The host and pid let another process on the same host tell at
 * once that the owner is gone (no need to wait for the lease to expire); the random part keeps two
 * engines of one process apart.
 */
export function newLeaseOwner(): string {
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  ownersOfThisProcess.add(owner);
  return owner;
}

/** The host and pid of an owner made by `newLeaseOwner`, or `undefined` for one in another form. */
function parseLeaseOwner(owner: string): { host: string; pid: number } | undefined {
  const parts = owner.split(':');
  const pid = Number(parts.at(-2));
  if (parts.length < 3 || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { host: parts.slice(0, -2).join(':'), pid };
}

/** `pid 123 on box` for an owner `box:123:RANDOM`, for messages; the owner itself in another form. */
export function describeLeaseOwner(owner: string): string {
  const parsed = parseLeaseOwner(owner);
  return parsed === undefined ? owner : `pid ${parsed.pid} on ${parsed.host}`;
}

/**
 * Whether the process behind `owner` may still be alive, seen from `host`: an owner on another host (or
 * in a form we do not know) is assumed alive until its lease expires; one on this host is alive when its
 * pid exists and is not a zombie. An owner with our own pid is alive only if this process made it:
 * otherwise it was an earlier process that had our pid (a container's PID 1 before a restart). A pid
 * reused by an unrelated process keeps a dead owner "alive" until its lease expires.
 */
export function leaseOwnerAlive(owner: string, host: string): boolean {
  const parsed = parseLeaseOwner(owner);
  if (parsed === undefined || parsed.host !== host) return true;
  const { pid } = parsed;
  if (pid === process.pid) return ownersOfThisProcess.has(owner);
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * Whether `pid` has exited but not been reaped yet (Linux; elsewhere `false`): `kill(pid, 0)` still finds
 * it, though it will never renew a lease again — a server killed under a parent that has not waited yet.
 */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    // Hidden (hidepid) or gone since: counted alive, the lease's expiry still ends it.
    return false;
  }
}
