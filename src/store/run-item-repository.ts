import type Database from 'better-sqlite3';
import { assertCount } from '../core/index.js';
import type { ItemStatus } from '../events/index.js';
import { assignmentParams, assignments } from './partial-update.js';
import { decodeJson, encodeJson, encodeOptionalTime, type SqlValue } from './sql-values.js';
import { guard } from './store-error.js';

/** One item of a run (a fan-out item, a subplan, a page, a suite) as stored. */
export interface RunItemRecord {
  readonly runId: string;
  /** Unique within the run, e.g. `PARENT:TEMPLATE:INDEX` for a fan-out item. */
  readonly itemId: string;
  /** The item this one belongs to (the fan-out step's item), if any. */
  readonly parentId: string | null;
  /** The workflow step the item runs, if any. */
  readonly stepId: string | null;
  /** The item's place among its siblings: results are listed in this order, never completion order. */
  readonly idx: number;
  readonly status: ItemStatus;
  readonly attempts: number;
  readonly output: unknown;
  readonly error: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/**
 * The state of one item to write. `runId`, `itemId`, `idx` and `status` are always written; of the
 * other fields, `undefined` keeps what is stored (or the default for a new item) and `null` clears it.
 */
export interface RunItemInput {
  readonly runId: string;
  readonly itemId: string;
  readonly idx: number;
  readonly status: ItemStatus;
  readonly parentId?: string | null;
  readonly stepId?: string | null;
  /** @default 0 for a new item */
  readonly attempts?: number;
  readonly output?: unknown;
  readonly error?: string | null;
  readonly startedAt?: string | null;
  readonly finishedAt?: string | null;
}

/** Options of `RunItemRepository.listForRun`. */
export interface RunItemListOptions {
  /** Only the children of this item (one fan-out); absent for every item of the run. */
  readonly parentId?: string;
}

interface RunItemRow {
  run_id: string;
  item_id: string;
  parent_id: string | null;
  step_id: string | null;
  idx: number;
  status: ItemStatus;
  attempts: number;
  output: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

type Params = Record<string, SqlValue>;

const OPTIONAL_COLUMNS = [
  'parent_id',
  'step_id',
  'attempts',
  'output',
  'error',
  'started_at',
  'finished_at',
] as const;

function toRecord(row: RunItemRow): RunItemRecord {
  return {
    runId: row.run_id,
    itemId: row.item_id,
    parentId: row.parent_id,
    stepId: row.step_id,
    idx: row.idx,
    status: row.status,
    attempts: row.attempts,
    output: decodeJson(row.output),
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/**
 * The `run_items` table: durable per-item state, so a killed run resumes without re-running finished
 * items. Each write upserts one row — O(1) however many items the run has.
 */
export class RunItemRepository {
  readonly #db: Database.Database;
  readonly #upsert: Database.Statement<[Params], RunItemRow>;
  readonly #get: Database.Statement<[string, string], RunItemRow>;
  readonly #listForRun: Database.Statement<[string], RunItemRow>;
  readonly #listForParent: Database.Statement<[string, string], RunItemRow>;

  /** @internal The `Store` creates it; prepares every statement once. */
  constructor(db: Database.Database) {
    this.#db = db;
    // On conflict, unqualified column names are the stored row's: `assignments` keeps them unless set.
    this.#upsert = db.prepare(`
      INSERT INTO run_items (run_id, item_id, parent_id, step_id, idx, status, attempts, output, error,
                             started_at, finished_at)
      VALUES (@run_id, @item_id, @parent_id, @step_id, @idx, @status, COALESCE(@attempts, 0), @output, @error,
              @started_at, @finished_at)
      ON CONFLICT (run_id, item_id) DO UPDATE SET
        idx = @idx,
        status = @status,
        ${assignments(OPTIONAL_COLUMNS)}
      RETURNING *`);
    this.#get = db.prepare('SELECT * FROM run_items WHERE run_id = ? AND item_id = ?');
    this.#listForRun = db.prepare('SELECT * FROM run_items WHERE run_id = ? ORDER BY idx, item_id');
    this.#listForParent = db.prepare(
      'SELECT * FROM run_items WHERE run_id = ? AND parent_id = ? ORDER BY idx, item_id',
    );
  }

  /**
   * Writes one item's state: inserts it, or updates the stored row in place.
   * @returns the item as stored after the write.
   * @throws StoreError when the run does not exist (a foreign key).
   */
  upsert(item: RunItemInput): RunItemRecord {
    const params: Params = {
      run_id: item.runId,
      item_id: item.itemId,
      idx: assertCount('idx', item.idx, 0),
      status: item.status,
      ...assignmentParams(OPTIONAL_COLUMNS, {
        parent_id: item.parentId,
        step_id: item.stepId,
        attempts: item.attempts,
        output: item.output === undefined ? undefined : encodeJson('output', item.output),
        error: item.error,
        started_at: encodeOptionalTime('startedAt', item.startedAt),
        finished_at: encodeOptionalTime('finishedAt', item.finishedAt),
      }),
    };
    const row = guard(this.#db, `write item ${item.itemId} of run ${item.runId}`, () =>
      this.#upsert.get(params),
    );
    return toRecord(row!);
  }

  /** The item, or `undefined`. */
  get(runId: string, itemId: string): RunItemRecord | undefined {
    const row = guard(this.#db, `read item ${itemId} of run ${runId}`, () => this.#get.get(runId, itemId));
    return row && toRecord(row);
  }

  /** The items of a run (or of one parent in it) in `idx` order, ties broken by item id. */
  listForRun(runId: string, options: RunItemListOptions = {}): RunItemRecord[] {
    const { parentId } = options;
    const rows = guard(this.#db, `list the items of run ${runId}`, () =>
      parentId === undefined ? this.#listForRun.all(runId) : this.#listForParent.all(runId, parentId),
    );
    return rows.map(toRecord);
  }
}
