import {
  nowIso,
  type EventBus,
  type FlotillaEvent,
  type OutputStream,
  type RunStatus,
} from '../../events/index.js';
import {
  Journal,
  type RunItemInput,
  type RunItemRecord,
  type RunPatch,
  type RunRecord,
  type Store,
} from '../../store/index.js';

/** One write of an item's state: what `RunItemRepository.upsert` takes, without the run id. */
export type ItemWrite = Omit<RunItemInput, 'runId'>;

/**
 * The durable state of one run while a process drives it: each item's record (loaded once, then kept in
 * step with every write) and the event log. Every change is one row upserted plus the event announcing it,
 * committed together, then published: O(1) per change however many items the run has.
 */
export class RunState {
  readonly runId: string;
  readonly #store: Store;
  readonly #journal: Journal;
  readonly #items = new Map<string, RunItemRecord>();

  constructor(store: Store, runId: string, bus?: EventBus) {
    this.#store = store;
    this.#journal = new Journal(store, bus);
    this.runId = runId;
    for (const item of store.items.listForRun(runId)) this.#items.set(item.itemId, item);
  }

  /** The item's record as last written (by this process or an earlier one). */
  item(itemId: string): RunItemRecord | undefined {
    return this.#items.get(itemId);
  }

  /** Writes an item's state and its `item.status` event. */
  writeItem(write: ItemWrite, attempt?: number): RunItemRecord {
    const event: FlotillaEvent = {
      type: 'item.status',
      runId: this.runId,
      itemId: write.itemId,
      status: write.status,
      at: nowIso(),
      ...(attempt === undefined ? {} : { attempt }),
      ...(write.error ? { error: write.error } : {}),
    };
    const record = this.#journal.record(
      () => this.#store.items.upsert({ runId: this.runId, ...write }),
      event,
    );
    this.#items.set(record.itemId, record);
    return record;
  }

  /** Records a line of an item's output. */
  log(itemId: string, stream: OutputStream, line: string): void {
    const event: FlotillaEvent = { type: 'item.log', runId: this.runId, itemId, stream, line, at: nowIso() };
    this.#journal.emit(event);
  }

  /** Changes the run's status (and other fields) with its `run.status` event. */
  /** Replaces the run's stored inputs (a gate consuming its verdict input). */
  setInputs(inputs: Readonly<Record<string, unknown>>): void {
    this.#store.runs.update(this.runId, { inputs });
  }

  setRun(status: RunStatus, patch: Omit<RunPatch, 'status'> = {}): RunRecord | undefined {
    const error = patch.error ?? undefined;
    const event: FlotillaEvent = {
      type: 'run.status',
      runId: this.runId,
      status,
      at: nowIso(),
      ...(error ? { error } : {}),
    };
    return this.#journal.record(() => this.#store.runs.update(this.runId, { ...patch, status }), event);
  }
}
