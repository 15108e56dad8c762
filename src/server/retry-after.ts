import type { JobScheduler } from '../jobs/index.js';

/** The run time assumed when no job has finished yet. */
const DEFAULT_RUN_MS = 5_000;
/** How many recent jobs the estimate averages. */
const SAMPLE_SIZE = 20;
/** Bounds of the advice, in seconds. */
const MIN_RETRY_AFTER_S = 1;
const MAX_RETRY_AFTER_S = 600;

/**
 * Seconds until the full queue likely has room: a queued job leaves the queue when a slot frees, and
 * with `capacity` slots busy one frees every (average run time / capacity). The average is over the
 * most recent jobs that succeeded; it is advice for `Retry-After`, never a promise.
 */
export async function estimateRetryAfterSeconds(
  jobs: Pick<JobScheduler, 'list' | 'health'>,
): Promise<number> {
  const recent = (await jobs.list({ status: 'succeeded', limit: SAMPLE_SIZE })).items;
  const durations = recent.flatMap((job) =>
    job.started_at === null || job.finished_at === null
      ? []
      : [Date.parse(job.finished_at) - Date.parse(job.started_at)],
  );
  const averageMs =
    durations.length === 0 ? DEFAULT_RUN_MS : durations.reduce((sum, ms) => sum + ms, 0) / durations.length;
  const seconds = Math.ceil(averageMs / Math.max(1, jobs.health().capacity) / 1000);
  return Math.min(MAX_RETRY_AFTER_S, Math.max(MIN_RETRY_AFTER_S, seconds));
}
