import type { EventBus, FlotillaEvent, SequencedEvent } from '../events/index.js';
import type { Store } from './store.js';

/**
 * Writes state changes with the events that announce them: the change and its event commit together in
 * one transaction, and only then is the event published, so what a listener hears is always what the
 * store holds (SSE replay and live delivery never disagree).
 */
export class Journal {
  readonly #store: Store;
  readonly #bus: EventBus | undefined;

  /** `bus` hears every event after it is stored; without one, events are only stored. */
  constructor(store: Store, bus?: EventBus) {
    this.#store = store;
    this.#bus = bus;
  }

  /** Runs `change` and appends `event` in one transaction, then publishes the event; returns the change's result. */
  record<T>(change: () => T, event: FlotillaEvent): T {
    let stored: SequencedEvent | undefined;
    const result = this.#store.transaction(() => {
      const changed = change();
      stored = this.#store.events.append(event);
      return changed;
    });
    this.#bus?.publish(stored!);
    return result;
  }

  /**
   * `record` for several changes at once: `change` runs and every one of `events` is appended in one
   * transaction (all or nothing), then the events are published in order.
   */
  recordAll<T>(change: () => T, events: readonly FlotillaEvent[]): T {
    let stored: SequencedEvent[] = [];
    const result = this.#store.transaction(() => {
      const changed = change();
      // One by one inside this transaction: `appendMany` would open a savepoint of its own in it.
      stored = events.map((event) => this.#store.events.append(event));
      return changed;
    });
    for (const event of stored) this.#bus?.publish(event);
    return result;
  }

  /** Appends an event that changes nothing else (a line of output), then publishes it. */
  emit(event: FlotillaEvent): void {
    const stored = this.#store.events.append(event);
    this.#bus?.publish(stored);
  }
}
