import type Database from 'better-sqlite3';
import { assertNonNegative } from '../core/index.js';
import type { RunStatus } from '../events/index.js';
import { nowIso } from '../events/index.js';
import { decodeCursor, pageLimit, toPage, type Page, type PageOptions } from './pagination.js';
import { assignmentParams, assignments } from './partial-update.js';
import {
  addMs,
  decodeJson,
  encodeJson,
  encodeOptionalTime,
  encodeTime,
  type SqlValue,
} from './sql-values.js';
import { guard } from './store-error.js';

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
  /** The process that drives the run, while it holds an unexpired lease. */
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: string | null;
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

/** Who asks for a lease, for how long, and (for tests and replays) what time it is. */
export interface LeaseOptions {
  /** A stable id of the process driving the run (e.g. host name, pid and a random part). */
  readonly owner: string;
  /** How long the lease lasts from `now`; renew it well before that. */
  readonly ttlMs: number;
  /** @default now */
  readonly now?: string;
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
  lease_owner: string | null;
  lease_expires_at: string | null;
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
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
  };
}

function json(field: string, value: unknown): string | null | undefined {
  return value === undefined ? undefined : encodeJson(field, value);
}

function leaseParams(id: string, options: LeaseOptions): Params {
  const now = encodeTime('now', options.now ?? nowIso());
  const ttlMs = assertNonNegative('ttlMs', options.ttlMs);
  return { id, owner: options.owner, now, expires: addMs('now', now, ttlMs) };
}

/**
 * The `runs` table: workflows, plans, QA crawls, suite runs and demos. A run is driven by one process
 * at a time, which holds a lease and renews it (a heartbeat); when that process dies the lease expires
 * and `findExpiredLeases` lets the next process mark the run interrupted.
 */
export class RunRepository {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[Params], RunRow>;
  readonly #get: Database.Statement<[string], RunRow>;
  readonly #update: Database.Statement<[Params], RunRow>;
  readonly #list: Database.Statement<[Params], RunRow>;
  readonly #acquire: Database.Statement<[Params]>;
  readonly #renew: Database.Statement<[Params]>;
  readonly #release: Database.Statement<[Params]>;
  readonly #expired: Database.Statement<[string], RunRow>;
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
    this.#acquire = db.prepare(`
      UPDATE runs SET lease_owner = @owner, lease_expires_at = @expires
      WHERE id = @id AND (lease_owner IS NULL OR lease_owner = @owner OR lease_expires_at <= @now)`);
    this.#renew = db.prepare(`
      UPDATE runs SET lease_expires_at = @expires
      WHERE id = @id AND lease_owner = @owner AND lease_expires_at > @now`);
    this.#release = db.prepare(`
      UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = @id AND lease_owner = @owner`);
    this.#expired = db.prepare(`
      SELECT * FROM runs WHERE lease_expires_at <= ? AND status = 'running' ORDER BY created_order`);
    this.#delete = db.prepare('DELETE FROM runs WHERE id = ?');
  }

  /**
   * Inserts a run (without a lease: take one with `acquireLease`, in the same transaction if need be).
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
   * Takes the run's lease for `owner` until `now + ttlMs`: succeeds when nobody holds it, `owner` already
   * does, or the holder's lease has expired.
   * @returns whether `owner` now holds the lease (`false` also when there is no such run).
   */
  acquireLease(id: string, options: LeaseOptions): boolean {
    const params = leaseParams(id, options);
    return guard(this.#db, `acquire the lease of run ${id}`, () => this.#acquire.run(params)).changes > 0;
  }

  /**
   * Extends `owner`'s lease to `now + ttlMs` (the heartbeat). Fails once the lease has expired, since
   * another process may already have taken the run over: the caller should stop driving it, or try
   * `acquireLease` again.
   * @returns whether `owner` still holds the lease.
   */
  renewLease(id: string, options: LeaseOptions): boolean {
    const params = leaseParams(id, options);
    return guard(this.#db, `renew the lease of run ${id}`, () => this.#renew.run(params)).changes > 0;
  }

  /** Gives the lease up if `owner` holds it; returns whether it did. */
  releaseLease(id: string, owner: string): boolean {
    const params = { id, owner };
    return guard(this.#db, `release the lease of run ${id}`, () => this.#release.run(params)).changes > 0;
  }

  /**
   * Runs still `running` whose lease expired at or before `now`, oldest first: their process is gone
   * (or hung), so they can be marked `interrupted` and, later, resumed.
   */
  findExpiredLeases(now: string = nowIso()): RunRecord[] {
    const at = encodeTime('now', now);
    return guard(this.#db, 'find runs with expired leases', () => this.#expired.all(at)).map(toRecord);
  }

  /**
   * Deletes a run and its items; returns whether it existed. Its events are kept: delete them with
   * `EventRepository.deleteForSubject`, in the same `Store.transaction` if both must go together.
   */
  delete(id: string): boolean {
    return guard(this.#db, `delete run ${id}`, () => this.#delete.run(id)).changes > 0;
  }
}
