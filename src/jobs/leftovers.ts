import { setTimeout as sleep } from 'node:timers/promises';
import { processesWithEnvironment } from '../exec/index.js';

/** How long recovery waits for killed leftovers to vanish. */
const LEFTOVER_WAIT_MS = 2_000;
const LEFTOVER_POLL_MS = 50;

/**
 * The environment every agent process of a job carries (and passes on to what it starts), so that a
 * restarted service can find a dead predecessor's processes by job, never by a reusable pid.
 */
export function jobMarker(home: string, jobId: string): Record<string, string> {
  return { FLOTILLA_HOME: home, FLOTILLA_JOB_ID: jobId };
}

/**
 * Kills what a crashed process left running for a job: its agent and everything the agent started,
 * which live on in their own session after their parent dies. Resolves with how many were found.
 */
export async function killLeftovers(home: string, jobId: string): Promise<number> {
  const marker = jobMarker(home, jobId);
  const found = await processesWithEnvironment(marker);
  for (
    let waited = 0, pids = found;
    pids.length > 0 && waited < LEFTOVER_WAIT_MS;
    waited += LEFTOVER_POLL_MS
  ) {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await sleep(LEFTOVER_POLL_MS);
    pids = await processesWithEnvironment(marker);
  }
  return found.length;
}
