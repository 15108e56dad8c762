import { killProcessesWithEnvironment } from '../exec/index.js';

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
export function killLeftovers(home: string, jobId: string): Promise<number> {
  return killProcessesWithEnvironment(jobMarker(home, jobId));
}
