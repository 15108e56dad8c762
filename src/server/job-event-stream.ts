import type { SequencedEvent } from '../events/index.js';
import type { JobScheduler } from '../jobs/index.js';
import type { Store } from '../store/index.js';
import { followEvents } from './event-stream.js';

/** Where a job's events come from: the store (history) and the job service's bus (live). */
export interface JobEventSource {
  readonly jobs: Pick<JobScheduler, 'bus' | 'get'>;
  readonly store: Pick<Store, 'events'>;
}

/**
 * The events of one job after `afterSeq` (see `followEvents`), ending after the job's `job.result`, at
 * once when the job has finished and nothing is left after `afterSeq`, or when `signal` aborts.
 */
export function followJobEvents(
  source: JobEventSource,
  jobId: string,
  afterSeq: number,
  signal: AbortSignal,
): AsyncGenerator<SequencedEvent, void, undefined> {
  return followEvents(
    { bus: source.jobs.bus, store: source.store },
    {
      subject: jobId,
      afterSeq,
      signal,
      // Gone (evicted) counts as finished: nothing more will come.
      finished: async () => {
        const job = await source.jobs.get(jobId);
        return job === undefined || job.finished_at !== null;
      },
      isLast: (event) => event.type === 'job.result',
    },
  );
}
