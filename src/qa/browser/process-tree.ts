import { readdir, readFile } from 'node:fs/promises';
import { sleep } from '../../core/index.js';

/** The variable whose value marks the processes of one launched browser (`launchBrowser` sets it). */
export const BROWSER_MARKER_VARIABLE = 'FLOTILLA_BROWSER';
/** How often a dying browser tree is looked at again. */
const POLL_MS = 25;
/** How long the tree gets after SIGKILL before `terminateBrowserTree` gives up. */
const KILL_WAIT_MS = 2_000;
/** How many processes are read at once while looking for the browser's. */
const PROC_SCAN_BATCH = 64;

/**
 * How the processes of one browser are recognised in `/proc`. Chromium rewrites its children's process
 * titles over their environment, so the marker variable is only readable in the main process and in the
 * crash handlers (which leave its process group); every other child carries the main process's
 * `--user-data-dir` on its command line and stays in its group.
 */
export interface BrowserIdentity {
  /** The value of `FLOTILLA_BROWSER` in the browser's environment. */
  readonly marker: string;
  /** The main browser process, which leads its process group; `undefined` where `/proc` is not there. */
  readonly mainPid: number | undefined;
  /** The profile folder Playwright made for this browser (`--user-data-dir`). */
  readonly userDataDir: string | undefined;
}

/** The live processes of one browser and the memory they use. */
export interface BrowserTreeUsage {
  readonly pids: readonly number[];
  /** The sum of the processes' resident set sizes (shared pages counted in each). */
  readonly rssBytes: number;
  /** The sum of their proportional set sizes: shared pages split between sharers, the honest total. */
  readonly pssBytes: number;
}

/** Finds the main process of the browser launched with `marker` (the one that is no crash handler). */
export async function identifyBrowser(marker: string): Promise<BrowserIdentity> {
  const entry = `${BROWSER_MARKER_VARIABLE}=${marker}`;
  const mains = await scanPids(async (pid) => {
    const environ = await readProc(pid, 'environ');
    if (environ === undefined || !hasEntry(environ, entry)) return false;
    return !((await readProc(pid, 'cmdline')) ?? '').includes('crashpad');
  });
  const mainPid = mains[0];
  if (mainPid === undefined) return { marker, mainPid: undefined, userDataDir: undefined };
  const cmdline = (await readProc(mainPid, 'cmdline')) ?? '';
  return { marker, mainPid, userDataDir: /--user-data-dir=([^\0 ]+)/.exec(cmdline)?.[1] };
}

/**
 * The live (not zombie) processes of the browser: those with its marker in their environment, those
 * whose command line names its profile folder, and the members of its main process's group while that
 * process lives. Empty where `/proc` cannot be read.
 */
export async function browserProcesses(identity: BrowserIdentity): Promise<number[]> {
  const mainAlive = identity.mainPid !== undefined && (await isOurs(identity, identity.mainPid));
  return scanPids(async (pid) => {
    const stat = await readStat(pid);
    if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return false;
    return (mainAlive && stat.pgrp === identity.mainPid) || isOurs(identity, pid);
  });
}

/** The browser's live processes and the memory they use, from `/proc/<pid>/smaps_rollup`. */
export async function browserTreeUsage(identity: BrowserIdentity): Promise<BrowserTreeUsage> {
  const pids = await browserProcesses(identity);
  let rssKb = 0;
  let pssKb = 0;
  for (const pid of pids) {
    const rollup = (await readProc(pid, 'smaps_rollup')) ?? '';
    rssKb += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    pssKb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
  }
  return { pids, rssBytes: rssKb * 1024, pssBytes: pssKb * 1024 };
}

/**
 * Makes sure no process of the browser is left: SIGTERM to each live one, up to `graceMs` for them to go,
 * then SIGKILL and up to two more seconds. Resolves `true` once none is alive (at once when none was),
 * `false` when some outlived SIGKILL (a process stuck in the kernel).
 */
export async function terminateBrowserTree(identity: BrowserIdentity, graceMs: number): Promise<boolean> {
  let pids = await browserProcesses(identity);
  if (pids.length === 0) return true;
  signalAll(pids, 'SIGTERM');
  pids = await waitForNone(identity, graceMs);
  if (pids.length === 0) return true;
  signalAll(pids, 'SIGKILL');
  return (await waitForNone(identity, KILL_WAIT_MS)).length === 0;
}

async function waitForNone(identity: BrowserIdentity, ms: number): Promise<number[]> {
  const deadline = performance.now() + ms;
  for (;;) {
    const pids = await browserProcesses(identity);
    if (pids.length === 0 || performance.now() >= deadline) return pids;
    await sleep(POLL_MS);
  }
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

/** Whether `pid` names the browser's profile folder or carries its marker. */
async function isOurs(identity: BrowserIdentity, pid: number): Promise<boolean> {
  if (identity.userDataDir !== undefined) {
    const cmdline = await readProc(pid, 'cmdline');
    if (cmdline !== undefined && namesFolder(cmdline, identity.userDataDir)) return true;
  }
  const environ = await readProc(pid, 'environ');
  return environ !== undefined && hasEntry(environ, `${BROWSER_MARKER_VARIABLE}=${identity.marker}`);
}

function namesFolder(cmdline: string, folder: string): boolean {
  const flag = `--user-data-dir=${folder}`;
  const at = cmdline.indexOf(flag);
  if (at < 0) return false;
  const next = cmdline.charAt(at + flag.length);
  return next === '' || next === '\0' || next === ' ';
}

function hasEntry(environ: string, entry: string): boolean {
  return environ.startsWith(`${entry}\0`) || environ.includes(`\0${entry}\0`) || environ === entry;
}

/** The pids of `/proc` for which `test` holds, read `PROC_SCAN_BATCH` at a time, in ascending order. */
async function scanPids(test: (pid: number) => Promise<boolean>): Promise<number[]> {
  let pids: number[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
  pids.sort((a, b) => a - b);
  const found: number[] = [];
  for (let i = 0; i < pids.length; i += PROC_SCAN_BATCH) {
    const batch = pids.slice(i, i + PROC_SCAN_BATCH);
    const matches = await Promise.all(batch.map(test));
    batch.forEach((pid, index) => {
      if (matches[index] === true) found.push(pid);
    });
  }
  return found;
}

async function readProc(pid: number, file: string): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined; // exited, or not ours to read
  }
}

async function readStat(pid: number): Promise<{ state: string; pgrp: number } | undefined> {
  const text = await readProc(pid, 'stat');
  if (text === undefined) return undefined;
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
  const [state, , pgrp] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return state === undefined || pgrp === undefined ? undefined : { state, pgrp: Number(pgrp) };
}
