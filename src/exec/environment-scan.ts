import { readdir, readFile } from 'node:fs/promises';
import { sleep } from '../core/index.js';

/** How long `killProcessesWithEnvironment` waits for killed processes to vanish. */
const KILL_MARKED_WAIT_MS = 2_000;
const KILL_MARKED_POLL_MS = 50;

/**
 * The pids of live processes whose environment holds every `NAME=value` of `marker` (Linux `/proc`; an
 * empty list elsewhere). A process started with a marker passes it on to everything it starts, so this
 * finds a job's whole tree — even members that left its process group — and, unlike a saved pid, never
 * names an unrelated process that reused a pid after a crash. Only processes we may read are seen.
 */
export async function processesWithEnvironment(marker: Readonly<Record<string, string>>): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  const wanted = Object.entries(marker).map(([name, value]) => `${name}=${value}`);
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const found: number[] = [];
  await Promise.all(
    pids.map(async (pid) => {
      if (pid === process.pid) return;
      let environment: string;
      try {
        environment = await readFile(`/proc/${pid}/environ`, 'utf8');
      } catch {
        return; // exited, or not ours to read
      }
      const entries = new Set(environment.split('\0'));
      if (wanted.every((entry) => entries.has(entry)) && !(await isZombie(pid))) found.push(pid);
    }),
  );
  return found.sort((a, b) => a - b);
}

async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/**
 * Kills (SIGKILL) every process whose environment holds `marker` — what a crashed process left running —
 * and waits up to two seconds for them to vanish. Resolves with how many were found.
 */
export async function killProcessesWithEnvironment(
  marker: Readonly<Record<string, string>>,
): Promise<number> {
  const found = await processesWithEnvironment(marker);
  for (
    let waited = 0, pids = found;
    pids.length > 0 && waited < KILL_MARKED_WAIT_MS;
    waited += KILL_MARKED_POLL_MS
  ) {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await sleep(KILL_MARKED_POLL_MS);
    pids = await processesWithEnvironment(marker);
  }
  return found.length;
}
