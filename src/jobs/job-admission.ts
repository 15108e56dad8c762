/**
 * What happens to job requests before they are queued: validated (one, or a batch whole), checked
 * against the queue's room, then stored with their `queued` events.
 */
import { QueueFullError, type LimiterStats } from '../core/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { nowIso } from '../events/index.js';
import { newRecordId, type Journal, type JobRecord, type Store } from '../store/index.js';
import { JobRequestError, parseJobRequest, type JobRequest } from './job-request.js';

/**
 * The most jobs one batch may hold. A batch is one SQLite transaction and one response: beyond a few
 * thousand, a client gains nothing over several batches and the server holds the event loop longer.
 */
export const MAX_JOB_BATCH = 1000;

/**
 * Validates every request of a batch (`POST /v1/jobs` with `{jobs: [...]}`) before any is stored, so
 * that a batch is accepted whole or not at all. A problem names the request: `jobs[3].agent: …`.
 * @throws JobRequestError for an empty or oversized batch, or the first request that is refused.
 */
export function parseJobBatch(
  inputs: readonly unknown[],
  config: Pick<ResolvedConfig, 'agents' | 'repos'>,
): JobRequest[] {
  if (inputs.length === 0) throw new JobRequestError('jobs', 'expected at least one job, got none');
  if (inputs.length > MAX_JOB_BATCH) {
    throw new JobRequestError(
      'jobs',
      `expected at most ${MAX_JOB_BATCH} jobs in one batch, got ${inputs.length} (send several batches)`,
    );
  }
  return inputs.map((input, index) => {
    try {
      return parseJobRequest(input, config);
    } catch (error) {
      throw error instanceof JobRequestError ? error.within(`jobs[${index}]`) : error;
    }
  });
}

/**
 * Refuses a batch of `count` jobs the queue cannot take whole. Each job of it may have to wait (one
 * whose agent is at its own cap waits even when a slot is free), so the batch needs room for all of
 * them in the queue: a batch larger than `maxQueue` can never be taken and is a bad request, one that
 * does not fit now is `QueueFullError` (429, to retry).
 */
export function assertBatchFits(count: number, stats: LimiterStats): void {
  const { queued, maxQueue } = stats;
  if (count > maxQueue) {
    throw new JobRequestError(
      'jobs',
      `a batch of ${count} jobs can never fit a queue of at most ${maxQueue} (server.max_queue): send batches of at most ${maxQueue}`,
    );
  }
  if (queued + count > maxQueue) throw new QueueFullError(queued, maxQueue);
}

/**
 * Stores accepted requests as queued jobs with their `job.status` events, in one transaction: once it
 * returns, every job is acknowledged and survives a crash; if it throws, none was stored.
 */
export function storeJobs(store: Store, journal: Journal, requests: readonly JobRequest[]): JobRecord[] {
  const at = nowIso();
  const ids = requests.map(() => newRecordId('job'));
  return journal.recordAll(
    () =>
      requests.map((request, index) =>
        store.jobs.insert({
          id: ids[index]!,
          agent: request.agent,
          prompt: request.prompt,
          repo: request.repo ?? null,
          ref: request.ref ?? null,
          priority: request.priority ?? 0,
          spec: request,
          // The row and its event tell one time.
          createdAt: at,
        }),
      ),
    ids.map((jobId) => ({ type: 'job.status', jobId, status: 'queued', at })),
  );
}
