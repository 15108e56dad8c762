import type Database from 'better-sqlite3';
import { assertCount } from '../core/index.js';
import type { FlotillaEvent, SequencedEvent } from '../events/index.js';
import { subjectOf } from '../events/index.js';
import { guard } from './store-error.js';

/** Options of `EventRepository.list`. */
export interface EventListOptions {
  /**
   * Only events after this sequence number: the `Last-Event-ID` a reconnecting SSE client sent.
   * @default 0 (from the start)
   */
  readonly afterSeq?: number;
  /**
   * The most events to return; page on with the `seq` of the last one. An integer ≥ 1, or `Infinity`.
   * @default DEFAULT_EVENT_PAGE_SIZE
   */
  readonly limit?: number;
}

/** How many events `EventRepository.list` returns when not told. */
export const DEFAULT_EVENT_PAGE_SIZE = 1000;

interface EventRow {
  seq: number;
  data: string;
}

/**
 * The `events` table: the append-only log of every event, per subject (a job or run id). The sequence
 * number is global, increasing and never reused, so it serves as the SSE event id for replay.
 */
export class EventRepository {
  readonly #db: Database.Database;
  readonly #append: Database.Statement<[string, string, string, string]>;
  readonly #appendMany: Database.Transaction<(events: readonly FlotillaEvent[]) => SequencedEvent[]>;
  readonly #list: Database.Statement<[string, number, number], EventRow>;
  readonly #delete: Database.Statement<[string]>;

  /** @internal The `Store` creates it; prepares every statement once. */
  constructor(db: Database.Database) {
    this.#db = db;
    // `seq` is the rowid: `lastInsertRowid` gives it without a RETURNING clause, which would cost SQLite a
    // temporary b-tree per append.
    this.#append = db.prepare('INSERT INTO events (subject, type, data, at) VALUES (?, ?, ?, ?)');
    this.#appendMany = db.transaction((events: readonly FlotillaEvent[]) =>
      events.map((event) => this.#appendOne(event)),
    );
    this.#list = db.prepare(
      'SELECT seq, data FROM events WHERE subject = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.#delete = db.prepare('DELETE FROM events WHERE subject = ?');
  }

  /** Appends one event; returns it with its sequence number. */
  append(event: FlotillaEvent): SequencedEvent {
    return guard(this.#db, `append a ${event.type} event`, () => this.#appendOne(event));
  }

  /** Appends events in one transaction — all or none — and returns them with their sequence numbers. */
  appendMany(events: readonly FlotillaEvent[]): SequencedEvent[] {
    if (events.length === 0) return [];
    return guard(this.#db, `append ${events.length} events`, () => this.#appendMany.immediate(events));
  }

  /** The events of `subject` after `afterSeq`, in sequence order: what SSE replays on reconnect. */
  list(subject: string, options: EventListOptions = {}): SequencedEvent[] {
    const afterSeq = assertCount('afterSeq', options.afterSeq ?? 0, 0);
    const limit = assertCount('limit', options.limit ?? DEFAULT_EVENT_PAGE_SIZE, 1, true);
    // SQLite reads a negative LIMIT as "no limit".
    const rows = guard(this.#db, `read the events of ${subject}`, () =>
      this.#list.all(subject, afterSeq, limit === Infinity ? -1 : limit),
    );
    return rows.map((row) => ({ ...(JSON.parse(row.data) as FlotillaEvent), seq: row.seq }));
  }

  /** Deletes every event of `subject`; returns how many there were. */
  deleteForSubject(subject: string): number {
    return guard(this.#db, `delete the events of ${subject}`, () => this.#delete.run(subject)).changes;
  }

  #appendOne(event: FlotillaEvent): SequencedEvent {
    const { lastInsertRowid } = this.#append.run(
      subjectOf(event),
      event.type,
      JSON.stringify(event),
      event.at,
    );
    return { ...event, seq: Number(lastInsertRowid) };
  }
}
