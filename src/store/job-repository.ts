import type Database from 'better-sqlite3';
import type { JobStatus } from '../events/index.js';
import { nowIso } from '../events/index.js';
import { decodeCursor, pageLimit, toPage, type Page, type PageOptions } from './pagination.js';
import { assignmentParams, assignments } from './partial-update.js';
import { decodeJson, encodeJson, encodeOptionalTime, encodeTime, type SqlValue } from './sql-values.js';
import { guard } from './store-error.js';

/** A job as stored. */
export interface JobRecord {
  readonly id: string;
  /** Increases with every insert: FIFO order among queued jobs, and the order of `list`. */
  readonly queueOrder: number;
  readonly status: JobStatus;
  readonly agent: string;
  readonly prompt: string;
  readonly repo: string | null;
  readonly ref: string | null;
  readonly priority: number;
  /** The whole request, as JSON. */
  readonly spec: unknown;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly error: string | null;
  readonly outputTail: string | null;
  /** What the run produced (timings, usage, changed files, …), as JSON. */
  readonly result: unknown;
  readonly attempts: number;
}

/** A job to insert. */
export interface NewJob {
  readonly id: string;
  readonly agent: string;
  readonly prompt: string;
  /** The whole request; any JSON-serialisable value. */
  readonly spec: unknown;
  readonly repo?: string | null;
  readonly ref?: string | null;
  /** @default 0 */
  readonly priority?: number;
  /** @default 'queued' */
  readonly status?: JobStatus;
  /** @default now */
  readonly createdAt?: string;
  /** @default 0 */
  readonly attempts?: number;
}

/** The fields of a job that change over its life. `undefined` leaves a field as it is; `null` clears it. */
export interface JobPatch {
  readonly status?: JobStatus;
  readonly priority?: number;
  readonly startedAt?: string | null;
  readonly finishedAt?: string | null;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly error?: string | null;
  readonly outputTail?: string | null;
  readonly result?: unknown;
  readonly attempts?: number;
}

/**
 * How a run of a job ended: what `JobRepository.finish` writes, every field (a `null` clears it).
 * `finishedAt` is `null` for a run that did not finish the job (`interrupted`: it runs again).
 */
export type JobEnding = Pick<
  JobRecord,
  'status' | 'finishedAt' | 'exitCode' | 'signal' | 'error' | 'outputTail' | 'result'
>;

/** Options of `JobRepository.list`. */
export interface JobListOptions extends PageOptions {
  /** Only jobs in this status. */
  readonly status?: JobStatus;
}

interface JobRow {
  id: string;
  queue_order: number;
  status: JobStatus;
  agent: string;
  prompt: string;
  repo: string | null;
  ref: string | null;
  priority: number;
  spec: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  output_tail: string | null;
  result: string | null;
  attempts: number;
}

type Params = Record<string, SqlValue>;

const PATCH_COLUMNS = [
  'status',
  'priority',
  'started_at',
  'finished_at',
  'exit_code',
  'signal',
  'error',
  'output_tail',
  'result',
  'attempts',
] as const;

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    queueOrder: row.queue_order,
    status: row.status,
    agent: row.agent,
    prompt: row.prompt,
    repo: row.repo,
    ref: row.ref,
    priority: row.priority,
    spec: decodeJson(row.spec),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    exitCode: row.exit_code,
    signal: row.signal,
    error: row.error,
    outputTail: row.output_tail,
    result: decodeJson(row.result),
    attempts: row.attempts,
  };
}

function patchParams(patch: JobPatch): Params {
  return assignmentParams(PATCH_COLUMNS, {
    status: patch.status,
    priority: patch.priority,
    started_at: encodeOptionalTime('startedAt', patch.startedAt),
    finished_at: encodeOptionalTime('finishedAt', patch.finishedAt),
    exit_code: patch.exitCode,
    signal: patch.signal,
    error: patch.error,
    output_tail: patch.outputTail,
    result: patch.result === undefined ? undefined : encodeJson('result', patch.result),
    attempts: patch.attempts,
  });
}

/** The `jobs` table: the agent job service's durable queue and history. */
export class JobRepository {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[Params]>;
  readonly #get: Database.Statement<[string], JobRow>;
  readonly #queueOrderOf: Database.Statement<[number | bigint], number>;
  readonly #update: Database.Statement<[Params], JobRow>;
  readonly #transition: Database.Statement<[Params], JobRow>;
  readonly #start: Database.Statement<[string, string]>;
  readonly #finish: Database.Statement<[Params]>;
  readonly #list: Database.Statement<[Params], JobRow>;
  readonly #listWithStatus: Database.Statement<[Params], JobRow>;
  readonly #listByStatus: Database.Statement<[string], JobRow>;
  readonly #listFinishedBy: Database.Statement<[string], JobRow>;
  readonly #delete: Database.Statement<[string]>;
  readonly #queuePosition: Database.Statement<[Params], { position: number }>;

  /** @internal The `Store` creates it; prepares every statement once. */
  constructor(db: Database.Database) {
    this.#db = db;
    // The writes of every job (insert, start, finish) have no RETURNING clause: SQLite collects RETURNING
    // rows in a temporary b-tree with its own page cache, which costs more than reading the row back.
    this.#insert = db.prepare(`
      INSERT INTO jobs (id, queue_order, status, agent, prompt, repo, ref, priority, spec, created_at, attempts)
      VALUES (@id, (SELECT COALESCE(MAX(queue_order), 0) + 1 FROM jobs), @status, @agent, @prompt, @repo, @ref,
              @priority, @spec, @created_at, @attempts)`);
    this.#get = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.#queueOrderOf = db
      .prepare<[number | bigint], number>('SELECT queue_order FROM jobs WHERE rowid = ?')
      .pluck();
    this.#update = db.prepare(`UPDATE jobs SET ${assignments(PATCH_COLUMNS)} WHERE id = @id RETURNING *`);
    this.#transition = db.prepare(`
      UPDATE jobs SET ${assignments(PATCH_COLUMNS)}
      WHERE id = @id AND status IN (SELECT value FROM json_each(@from))
      RETURNING *`);
    // The two writes of every run, without the 20 parameters of a partial update.
    this.#start = db.prepare(
      "UPDATE jobs SET status = 'running', started_at = ?, attempts = attempts + 1 WHERE id = ?",
    );
    this.#finish = db.prepare(`
      UPDATE jobs SET status = @status, finished_at = @finished_at, exit_code = @exit_code, signal = @signal,
        error = @error, output_tail = @output_tail, result = @result
      WHERE id = @id`);
    // Two statements rather than `(@status IS NULL OR status = @status)`, which would keep SQLite from
    // using the (status, queue_order) index.
    this.#list = db.prepare(`
      SELECT * FROM jobs WHERE queue_order < @before ORDER BY queue_order DESC LIMIT @limit`);
    this.#listWithStatus = db.prepare(`
      SELECT * FROM jobs WHERE status = @status AND queue_order < @before ORDER BY queue_order DESC LIMIT @limit`);
    this.#listByStatus = db.prepare(`
      SELECT * FROM jobs WHERE status IN (SELECT value FROM json_each(?)) ORDER BY queue_order`);
    // No index on `finished_at`: it would cost every job's finish a write, to spare a scan once a minute.
    this.#listFinishedBy = db.prepare(`
      SELECT * FROM jobs WHERE finished_at IS NOT NULL AND finished_at <= ? ORDER BY queue_order`);
    this.#delete = db.prepare('DELETE FROM jobs WHERE id = ?');
    this.#queuePosition = db.prepare(`
      SELECT count(*) AS position FROM jobs
      WHERE status = 'queued' AND (priority > @priority OR (priority = @priority AND queue_order <= @queue_order))`);
  }

  /**
   * Inserts a job at the end of the queue order.
   * @throws StoreError `E_STORE_DUPLICATE` when a job with this id exists.
   */
  insert(job: NewJob): JobRecord {
    const params: Params = {
      id: job.id,
      status: job.status ?? 'queued',
      agent: job.agent,
      prompt: job.prompt,
      repo: job.repo ?? null,
      ref: job.ref ?? null,
      priority: job.priority ?? 0,
      spec: encodeJson('spec', job.spec),
      created_at: encodeTime('createdAt', job.createdAt ?? nowIso()),
      attempts: job.attempts ?? 0,
    };
    const queueOrder = guard(this.#db, `insert job ${job.id}`, () =>
      this.#queueOrderOf.get(this.#insert.run(params).lastInsertRowid),
    )!;
    // Built from what was written rather than read back: only the queue order comes from SQLite.
    return {
      id: job.id,
      queueOrder,
      status: params.status as JobStatus,
      agent: job.agent,
      prompt: job.prompt,
      repo: params.repo as string | null,
      ref: params.ref as string | null,
      priority: params.priority as number,
      spec: decodeJson(params.spec as string | null),
      createdAt: params.created_at as string,
      startedAt: null,
      finishedAt: null,
      exitCode: null,
      signal: null,
      error: null,
      outputTail: null,
      result: null,
      attempts: params.attempts as number,
    };
  }

  /** The job with this id, or `undefined`. */
  get(id: string): JobRecord | undefined {
    const row = guard(this.#db, `read job ${id}`, () => this.#get.get(id));
    return row && toRecord(row);
  }

  /** Changes the given fields; returns the job as updated, or `undefined` when there is no such job. */
  update(id: string, patch: JobPatch): JobRecord | undefined {
    const params = { ...patchParams(patch), id };
    const row = guard(this.#db, `update job ${id}`, () => this.#update.get(params));
    return row && toRecord(row);
  }

  /**
   * Marks a job `running` from `startedAt` and counts the attempt, without reading it back.
   * @returns whether the job exists.
   */
  start(id: string, startedAt: string): boolean {
    const at = encodeTime('startedAt', startedAt);
    return guard(this.#db, `start job ${id}`, () => this.#start.run(at, id)).changes > 0;
  }

  /**
   * Records how a run of a job ended (every field of `ending`, `null`s included), without reading it back.
   * @returns whether the job exists.
   */
  finish(id: string, ending: JobEnding): boolean {
    const params: Params = {
      id,
      status: ending.status,
      finished_at: encodeOptionalTime('finishedAt', ending.finishedAt),
      exit_code: ending.exitCode,
      signal: ending.signal,
      error: ending.error,
      output_tail: ending.outputTail,
      result: encodeJson('result', ending.result),
    };
    return guard(this.#db, `finish job ${id}`, () => this.#finish.run(params)).changes > 0;
  }

  /**
   * Moves a job to status `to` (and changes `fields`) only if its status is one of `from`: a
   * compare-and-set, so that, say, a cancel and a finish cannot both win.
   * @returns the job as updated, or `undefined` when there is no such job or its status is not in `from`.
   */
  transition(
    id: string,
    from: JobStatus | readonly JobStatus[],
    to: JobStatus,
    fields: Omit<JobPatch, 'status'> = {},
  ): JobRecord | undefined {
    const params = { ...patchParams({ ...fields, status: to }), id, from: JSON.stringify([from].flat()) };
    const row = guard(this.#db, `move job ${id} to ${to}`, () => this.#transition.get(params));
    return row && toRecord(row);
  }

  /** Jobs newest first, optionally of one status, a page at a time (keyset pagination on queue order). */
  list(options: JobListOptions = {}): Page<JobRecord> {
    const limit = pageLimit(options.limit);
    const params = {
      before: decodeCursor(options.cursor) ?? Number.MAX_SAFE_INTEGER,
      limit: limit + 1,
    };
    const rows = guard(this.#db, 'list jobs', () =>
      options.status === undefined
        ? this.#list.all(params)
        : this.#listWithStatus.all({ ...params, status: options.status }),
    );
    return toPage(rows, limit, (row) => row.queue_order, toRecord);
  }

  /**
   * Every job in one of `statuses`, oldest first (FIFO queue order): what restart recovery re-queues.
   */
  listByStatus(statuses: JobStatus | readonly JobStatus[]): JobRecord[] {
    const wanted = JSON.stringify([statuses].flat());
    return guard(this.#db, 'list jobs by status', () => this.#listByStatus.all(wanted)).map(toRecord);
  }

  /**
   * Every job that finished at `cutoff` or before, oldest first: what eviction deletes. Times compare as
   * stored (ISO-8601 in UTC, one format), so the filter runs in SQLite and later jobs are never read.
   */
  listFinishedBy(cutoff: string): JobRecord[] {
    const at = encodeTime('cutoff', cutoff);
    return guard(this.#db, 'list finished jobs', () => this.#listFinishedBy.all(at)).map(toRecord);
  }

  /**
   * The 1-based place of a queued job in the order jobs start: higher priority first, then FIFO. One
   * indexed count, however long the queue.
   */
  queuePosition(job: Pick<JobRecord, 'priority' | 'queueOrder'>): number {
    const params = { priority: job.priority, queue_order: job.queueOrder };
    return guard(this.#db, 'count the queue', () => this.#queuePosition.get(params)!.position);
  }

  /**
   * Deletes a job; returns whether it existed. Its events are kept: delete them with
   * `EventRepository.deleteForSubject`, in the same `Store.transaction` if both must go together.
   */
  delete(id: string): boolean {
    return guard(this.#db, `delete job ${id}`, () => this.#delete.run(id)).changes > 0;
  }
}
