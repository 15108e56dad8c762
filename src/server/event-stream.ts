import { subjectOf, type EventBus, type SequencedEvent } from '../events/index.js';
import type { Store } from '../store/index.js';

/** How many stored events one replay query reads. */
const REPLAY_PAGE_SIZE = 500;

/** Where a subject's events come from: the store (the record) and a bus (the wake-up call). */
export interface EventSource {
  readonly bus: Pick<EventBus, 'subscribe'>;
  readonly store: Pick<Store, 'events'>;
}

/** What `followEvents` follows, and when it stops. */
export interface FollowOptions {
  /** The job or run id the events are stored under. */
  readonly subject: string;
  /** Only events after this sequence number (`Last-Event-ID`); 0 for all. */
  readonly afterSeq: number;
  readonly signal: AbortSignal;
  /** Whether nothing more will be stored for the subject (finished, or gone). */
  readonly finished: () => boolean | Promise<boolean>;
  /** An event after which the stream ends at once (a job's `job.result`). @default none */
  readonly isLast?: (event: SequencedEvent) => boolean;
  /**
   * Also look in the store this often while waiting, for events another process writes (a run driven
   * by a CLI shares the database, not the bus). @default only when the bus says something happened
   */
  readonly pollMs?: number;
}

/**
 * The events of one subject after `afterSeq`, without a gap or a duplicate: the stored ones, then each
 * new one as it is stored, until `isLast` says so, the subject is `finished` and everything stored has
 * been given, or `signal` aborts. The store is the only source of events (every event is stored before
 * it is published); the bus only says when to look again, so nothing published during a replay is lost.
 *
 * 1. Subscribe to the bus first: any event of the subject marks the store as worth reading again.
 * 2. Note whether the subject had finished, then read the store page by page after the last event sent.
 * 3. If it had finished before that read, the read saw its last event: stop. Otherwise wait for the
 *    bus, the poll timer or the signal, and go to 2.
 *
 * The bus listener is removed however the iteration ends (finished, aborted, or `return()`ed).
 */
export async function* followEvents(
  source: EventSource,
  options: FollowOptions,
): AsyncGenerator<SequencedEvent, void, undefined> {
  const { subject, signal, finished, isLast } = options;
  let dirty = false;
  let wake: (() => void) | undefined;
  const unsubscribe = source.bus.subscribe((event) => {
    if (subjectOf(event) !== subject) return;
    dirty = true;
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    let last = options.afterSeq;
    while (!signal.aborted) {
      dirty = false;
      const wasFinished = await finished();
      for (;;) {
        const page = source.store.events.list(subject, { afterSeq: last, limit: REPLAY_PAGE_SIZE });
        for (const event of page) {
          if (signal.aborted) return;
          last = event.seq;
          yield event;
          if (isLast?.(event) === true) return;
        }
        if (page.length < REPLAY_PAGE_SIZE) break;
      }
      if (wasFinished) return;
      if (!dirty && !signal.aborted) await waitForWake(options.pollMs, (resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}

/** Resolves when `register`'s callback is called, or after `pollMs` when set. */
function waitForWake(pollMs: number | undefined, register: (resolve: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = pollMs === undefined ? undefined : setTimeout(resolve, pollMs);
    register(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
