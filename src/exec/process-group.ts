import { readdir, readFile } from 'node:fs/promises';
import { assertCount, assertNonNegative, sleep } from '../core/index.js';
import { errnoOf } from './errors.js';

/** How long members of a group get between SIGTERM and SIGKILL, by default. */
export const DEFAULT_KILL_GRACE_MS = 5_000;
/**
 * How long to wait for a group to vanish after SIGKILL before giving up. SIGKILL cannot be caught; only a
 * process in uninterruptible sleep (a hung NFS or FUSE read) outlives it for long.
 */
export const KILL_WAIT_MS = 2_000;
/** The first pause between two checks of a dying group; it doubles up to `GROUP_POLL_MAX_MS`. */
const GROUP_POLL_MIN_MS = 5;
const GROUP_POLL_MAX_MS = 100;
/** How many `/proc/<pid>/stat` files are read at once while looking for live members. */
const PROC_SCAN_BATCH = 64;

/** Options of `terminateProcessGroup`. */
export interface TerminateOptions {
  /**
   * Milliseconds between SIGTERM and SIGKILL: the time members get to exit cleanly.
   * @default DEFAULT_KILL_GRACE_MS (5_000)
   */
  readonly killGraceMs?: number;
}

/**
 * Sends `signal` to every process of the group `pgid` (`kill(-pgid, signal)`). Returns `false` when the
 * group no longer exists (ESRCH), `true` when the signal was sent; other errors (EPERM) are thrown.
 *
 * `pgid` must be an integer ≥ 2: `kill(0)` would signal our own group and `kill(-1)` every process we may
 * signal, so both are refused with `InvalidArgumentError`.
 */
export function killProcessGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  assertCount('pgid', pgid, 2);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Whether any process of the group `pgid` is still alive. Zombies do not count: an exited member whose
 * parent never reaps it (a grandchild reparented to a container's PID 1 that does not call `wait`)
 * cannot run again, yet keeps `kill(-pgid, 0)` succeeding. On Linux this reads `/proc` to tell them
 * apart; elsewhere a zombie counts as alive.
 */
export async function processGroupAlive(pgid: number): Promise<boolean> {
  if (!groupExists(pgid)) return false;
  if (process.platform !== 'linux') return true;
  const members = await scanGroup(pgid);
  if (members === undefined || members.live) return true;
  // No member seen at all: they exited since the check above, or /proc hides them (hidepid); ask again.
  return members.zombies === 0 && groupExists(pgid);
}

/** Whether `kill(-pgid, 0)` finds the group, zombies included. */
function groupExists(pgid: number): boolean {
  try {
    return killProcessGroup(pgid, 0);
  } catch (error) {
    // EPERM: the group exists, but a member belongs to someone else.
    if (errnoOf(error) === 'EPERM') return true;
    throw error;
  }
}

/**
 * Stops every process of the group `pgid` and resolves once none is alive:
 *
 * 1. SIGTERM to the group, then SIGCONT so that stopped members wake up to handle it.
 * 2. Wait up to `killGraceMs` for the group to empty, checking with a short, growing pause.
 * 3. SIGKILL to the group if any member is still alive.
 * 4. Wait up to `KILL_WAIT_MS` for it to empty.
 *
 * A group that does not exist (ESRCH at any step) counts as gone. Resolves `true` when the group is
 * gone, `false` when members were still alive `KILL_WAIT_MS` after SIGKILL; so it never waits longer than
 * `killGraceMs + KILL_WAIT_MS` plus one check.
 */
export async function terminateProcessGroup(pgid: number, options: TerminateOptions = {}): Promise<boolean> {
  const killGraceMs = assertNonNegative('killGraceMs', options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  // 1.
  if (!killProcessGroup(pgid, 'SIGTERM')) return true;
  killProcessGroup(pgid, 'SIGCONT');
  // 2.
  if (await waitForGroupExit(pgid, killGraceMs)) return true;
  // 3.
  if (!killProcessGroup(pgid, 'SIGKILL')) return true;
  // 4.
  return waitForGroupExit(pgid, KILL_WAIT_MS);
}

/** Polls until the group has no live member (`true`) or `timeoutMs` has passed (`false`). */
async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let pauseMs = GROUP_POLL_MIN_MS;
  for (;;) {
    if (!(await processGroupAlive(pgid))) return true;
    const leftMs = deadline - performance.now();
    if (leftMs <= 0) return false;
    await sleep(Math.min(pauseMs, leftMs));
    pauseMs = Math.min(pauseMs * 2, GROUP_POLL_MAX_MS);
  }
}

interface GroupMembers {
  /** Whether a member that is not a zombie was seen. */
  readonly live: boolean;
  readonly zombies: number;
}

/** Looks through `/proc` for members of the group; `undefined` when `/proc` cannot be read. */
async function scanGroup(pgid: number): Promise<GroupMembers | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  // The leader is the likeliest survivor, so it is read first.
  const others = names.filter((name) => /^\d+$/.test(name) && name !== String(pgid)).map(Number);
  const pids = [pgid, ...others];
  let zombies = 0;
  for (let i = 0; i < pids.length; i += PROC_SCAN_BATCH) {
    const stats = await Promise.all(pids.slice(i, i + PROC_SCAN_BATCH).map(readProcStat));
    for (const stat of stats) {
      if (stat === undefined || stat.pgrp !== pgid) continue;
      if (!isDead(stat.state)) return { live: true, zombies };
      zombies++;
    }
  }
  return { live: false, zombies };
}

interface ProcStat {
  /** One letter: R running, S sleeping, D disk sleep, T stopped, Z zombie, X dead, … */
  readonly state: string;
  readonly pgrp: number;
}

/** The state and process group of a process, from `/proc/<pid>/stat`; `undefined` once it is gone. */
async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, , pgrp] = fields;
  return state === undefined || pgrp === undefined ? undefined : { state, pgrp: Number(pgrp) };
}

function isDead(state: string): boolean {
  return state === 'Z' || state === 'X';
}
