import type Database from 'better-sqlite3';
import type { RunStatus } from '../events/index.js';
import { nowIso } from '../events/index.js';
import { decodeCursor, pageLimit, toPage, type Page, type PageOptions } from './pagination.js';
import { assignmentParams, assignments } from './partial-update.js';
import { decodeJson, encodeJson, encodeOptionalTime, encodeTime, type SqlValue } from './sql-values.js';
import { guard } from './store-error.js';

/** The name of the lease (`leases` table) that the process driving run `id` holds. */
export function runLeaseName(id: string): string {
  return `run:${id}`;
}

/** What a run is: `'workflow'`, `'plan'`, `'qa'`, `'suites'`, `'demo'`; stored as text, so new kinds need no migration. */
export type RunKind = 'workflow' | 'plan' | 'qa' | 'suites' | 'demo' | (string & {});

/** A run as stored. */
export interface RunRecord {
  readonly id: string;
  readonly kind: RunKind;
  readonly name: string | null;
  readonly status: RunStatus;
  /** What was asked for (the workflow, the crawl settings, …), as JSON. */
  readonly spec: unknown;
  readonly inputs: unknown;
  readonly output: unknown;
  readonly error: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/** A run to insert. */
export interface NewRun {
  readonly id: string;
  readonly kind: RunKind;
  readonly name?: string | null;
  /** @default 'running' */
  readonly status?: RunStatus;
  readonly spec?: unknown;
  readonly inputs?: unknown;
  /** @default now */
  readonly createdAt?: string;
  readonly startedAt?: string | null;
}

/** The fields of a run that change over its life. `undefined` leaves a field as it is; `null` clears it. */
export interface RunPatch {
  readonly name?: string | null;
  readonly status?: RunStatus;
  readonly spec?: unknown;
  readonly inputs?: unknown;
  readonly output?: unknown;
  readonly error?: string | null;
  readonly startedAt?: string | null;
  readonly finishedAt?: string | null;
}

/** Options of `RunRepository.list`. */
export interface RunListOptions extends PageOptions {
  readonly status?: RunStatus;
  readonly kind?: RunKind;
}

interface RunRow {
  id: string;
  created_order: number;
  kind: string;
  name: string | null;
  status: RunStatus;
  spec: string | null;
  inputs: string | null;
  output: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

type Params = Record<string, SqlValue>;

const PATCH_COLUMNS = [
  'name',
  'status',
  'spec',
  'inputs',
  'output',
  'error',
  'started_at',
  'finished_at',
] as const;

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    status: row.status,
    spec: decodeJson(row.spec),
    inputs: decodeJson(row.inputs),
    output: decodeJson(row.output),
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function json(field: string, value: unknown): string | null | undefined {
  return value === undefined ? undefined : encodeJson(field, value);
}

/**
 * The `runs` table: workflows, plans, QA crawls, suite runs and demos. The process that drives a run
 * holds its lease (`run:<id>` in the `leases` table, see `runLeaseName`).
 */
export class RunRepository {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[Params], RunRow>;
  readonly #get: Database.Statement<[string], RunRow>;
  readonly #update: Database.Statement<[Params], RunRow>;
  readonly #list: Database.Statement<[Params], RunRow>;
  readonly #delete: Database.Statement<[string]>;

  /** @internal The `Store` creates it; prepares every statement once. */
  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(`
      INSERT INTO runs (id, created_order, kind, name, status, spec, inputs, created_at, started_at)
      VALUES (@id, (SELECT COALESCE(MAX(created_order), 0) + 1 FROM runs), @kind, @name, @status, @spec,
              @inputs, @created_at, @started_at)
      RETURNING *`);
    this.#get = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.#update = db.prepare(`UPDATE runs SET ${assignments(PATCH_COLUMNS)} WHERE id = @id RETURNING *`);
    // Runs are few next to jobs, so optional filters in one statement are cheap enough here.
    this.#list = db.prepare(`
      SELECT * FROM runs
      WHERE created_order < @before AND (@status IS NULL OR status = @status) AND (@kind IS NULL OR kind = @kind)
      ORDER BY created_order DESC LIMIT @limit`);
    this.#delete = db.prepare('DELETE FROM runs WHERE id = ?');
  }

  /**
   * Inserts a run (without a lease: take one in the same transaction if need be).
   * @throws StoreError `E_STORE_DUPLICATE` when a run with this id exists.
   */
  insert(run: NewRun): RunRecord {
    const params: Params = {
      id: run.id,
      kind: run.kind,
      name: run.name ?? null,
      status: run.status ?? 'running',
      spec: encodeJson('spec', run.spec),
      inputs: encodeJson('inputs', run.inputs),
      created_at: encodeTime('createdAt', run.createdAt ?? nowIso()),
      started_at: encodeOptionalTime('startedAt', run.startedAt ?? null),
    };
    const row = guard(this.#db, `insert run ${run.id}`, () => this.#insert.get(params));
    return toRecord(row!);
  }

  /** The run with this id, or `undefined`. */
  get(id: string): RunRecord | undefined {
    const row = guard(this.#db, `read run ${id}`, () => this.#get.get(id));
    return row && toRecord(row);
  }

  /** Changes the given fields; returns the run as updated, or `undefined` when there is no such run. */
  update(id: string, patch: RunPatch): RunRecord | undefined {
    const params = {
      id,
      ...assignmentParams(PATCH_COLUMNS, {
        name: patch.name,
        status: patch.status,
        spec: json('spec', patch.spec),
        inputs: json('inputs', patch.inputs),
        output: json('output', patch.output),
        error: patch.error,
        started_at: encodeOptionalTime('startedAt', patch.startedAt),
        finished_at: encodeOptionalTime('finishedAt', patch.finishedAt),
      }),
    };
    const row = guard(this.#db, `update run ${id}`, () => this.#update.get(params));
    return row && toRecord(row);
  }

  /** Runs newest first, optionally of one status and kind, a page at a time. */
  list(options: RunListOptions = {}): Page<RunRecord> {
    const limit = pageLimit(options.limit);
    const params = {
      before: decodeCursor(options.cursor) ?? Number.MAX_SAFE_INTEGER,
      status: options.status ?? null,
      kind: options.kind ?? null,
      limit: limit + 1,
    };
    const rows = guard(this.#db, 'list runs', () => this.#list.all(params));
    return toPage(rows, limit, (row) => row.created_order, toRecord);
  }

  /**
   * Deletes a run and its items; returns whether it existed. Its events are kept: delete them with
   * `EventRepository.deleteForSubject`, in the same `Store.transaction` if both must go together.
   */
  delete(id: string): boolean {
    return guard(this.#db, `delete run ${id}`, () => this.#delete.run(id)).changes > 0;
  }
}
