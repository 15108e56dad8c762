import { subjectOf, type SequencedEvent } from '../events/index.js';
import type { JobService } from '../jobs/index.js';
import type { Store } from '../store/index.js';

/** How many stored events one replay query reads. */
const REPLAY_PAGE_SIZE = 500;

/** Where a job's events come from: the store (history) and the bus (live). */
export interface JobEventSource {
  readonly jobs: Pick<JobService, 'bus' | 'get'>;
  readonly store: Pick<Store, 'events'>;
}

/**
 * The events of one job after `afterSeq`: first the stored ones, then live ones from the bus, without
 * a gap or a duplicate between the two, ending after the job's `job.result` (or at once when the job
 * has finished and nothing is left after `afterSeq`), or when `signal` aborts.
 *
 * 1. Subscribe to the bus first, buffering this job's events, so nothing published during the replay
 *    is lost.
 * 2. Replay the store page by page after `afterSeq`.
 * 3. Drain the buffer and follow live events, skipping any `seq` already sent.
 *
 * The bus listener is removed however the iteration ends (finished, aborted, or `return()`ed).
 */
export async function* followJobEvents(
  source: JobEventSource,
  jobId: string,
  afterSeq: number,
  signal: AbortSignal,
): AsyncGenerator<SequencedEvent, void, undefined> {
  const pending: SequencedEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = source.jobs.bus.subscribe((event) => {
    if (subjectOf(event) !== jobId) return;
    pending.push(event);
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    let last = afterSeq;
    for (;;) {
      const page = source.store.events.list(jobId, { afterSeq: last, limit: REPLAY_PAGE_SIZE });
      for (const event of page) {
        if (signal.aborted) return;
        last = event.seq;
        yield event;
        if (event.type === 'job.result') return;
      }
      if (page.length < REPLAY_PAGE_SIZE) break;
    }
    while (!signal.aborted) {
      const event = pending.shift();
      if (event !== undefined) {
        if (event.seq <= last) continue;
        last = event.seq;
        yield event;
        if (event.type === 'job.result') return;
        continue;
      }
      // Finished before `afterSeq`, or gone (evicted): nothing more will come.
      const job = source.jobs.get(jobId);
      if (job === undefined || job.finished_at !== null) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}
