import type Database from 'better-sqlite3';
import { guard, StoreError } from './store-error.js';

/** One step of the schema. Versions start at 1 and follow each other without gaps. */
export interface Migration {
  /** The `PRAGMA user_version` the database has once this migration ran. */
  readonly version: number;
  /** What the migration changes, for people reading the history. */
  readonly description: string;
  /** The SQL to run; it runs in one transaction together with the version bump. */
  readonly sql: string;
}

/*
 * Notes on the schema:
 * - STRICT tables, so a wrong type is an error instead of a silent conversion.
 * - Statuses and kinds are plain TEXT without CHECK constraints: SQLite cannot alter a CHECK without
 *   rebuilding the table, and the TypeScript types already guard what is written.
 * - Times are ISO-8601 TEXT in UTC (`toISOString` form), so they compare correctly as strings.
 * - JSON columns are TEXT holding JSON, NULL when absent.
 * - `jobs.queue_order` and `runs.created_order` are MAX + 1 at insert: FIFO order for restart recovery and
 *   the key of keyset pagination (they are not rowids, which VACUUM may renumber).
 * - `events.seq` is AUTOINCREMENT, so a sequence number is never reused, even after deletions: it is the
 *   SSE event id clients send back as `Last-Event-ID`.
 * - Run items are one row each, upserted on (run_id, item_id): O(1) per write, never a growing document.
 */
const V1_SQL = `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  queue_order INTEGER NOT NULL UNIQUE,
  status TEXT NOT NULL,
  agent TEXT NOT NULL,
  prompt TEXT NOT NULL,
  repo TEXT,
  ref TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  spec TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  exit_code INTEGER,
  signal TEXT,
  error TEXT,
  output_tail TEXT,
  result TEXT,
  attempts INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX jobs_status_queue_order ON jobs (status, queue_order);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  created_order INTEGER NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  name TEXT,
  status TEXT NOT NULL,
  spec TEXT,
  inputs TEXT,
  output TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  lease_owner TEXT,
  lease_expires_at TEXT
) STRICT;
CREATE INDEX runs_lease_expires_at ON runs (lease_expires_at) WHERE lease_expires_at IS NOT NULL;

CREATE TABLE run_items (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  item_id TEXT NOT NULL,
  parent_id TEXT,
  step_id TEXT,
  idx INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  output TEXT,
  error TEXT,
  started_at TEXT,
  finished_at TEXT,
  PRIMARY KEY (run_id, item_id)
) STRICT;
CREATE INDEX run_items_run_parent_idx ON run_items (run_id, parent_id, idx);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX events_subject_seq ON events (subject, seq);
`;

/*
 * Version 2: leases on things that only one process may drive at a time but that are not runs (the
 * job service of a home). A row exists while someone holds the lease; `expires_at` ends it when that
 * someone dies without releasing it.
 */
const V2_SQL = `
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;
`;

/*
 * Version 3: one lease mechanism. The process driving a run holds the lease `run:<id>` of `leases`, like
 * the job service of a home holds `jobs`; the run's own lease columns go.
 */
const V3_SQL = `
INSERT OR REPLACE INTO leases (name, owner, acquired_at, expires_at)
  SELECT 'run:' || id, lease_owner, COALESCE(started_at, created_at), lease_expires_at FROM runs
  WHERE lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL;
DROP INDEX runs_lease_expires_at;
ALTER TABLE runs DROP COLUMN lease_owner;
ALTER TABLE runs DROP COLUMN lease_expires_at;
`;

/*
 * Version 4: the history of suite runs (`flotilla suites`), for flake rates and slow tests across runs.
 * - `suite_runs.run_order` is MAX + 1 at insert, like `runs.created_order`: "recent" means recorded last,
 *   whatever the clocks of the machines that ran the suites said.
 * - `test_results.run_order` is a copy of its run's, so the history of one test is one range of the
 *   covering index `test_results_history` (suite, test, newest first, with the status): flake rates read
 *   it without a join. A run's rows are written once, in one transaction, and never updated.
 * - Rows go with their run (ON DELETE CASCADE): pruning deletes old runs, not test rows one by one.
 * - Durations are whole milliseconds; `attempts` counts the attempts of the suite that ran the test.
 */
const V4_SQL = `
CREATE TABLE suite_runs (
  id TEXT PRIMARY KEY,
  run_order INTEGER NOT NULL UNIQUE,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  exit_code INTEGER NOT NULL,
  summary TEXT
) STRICT;

CREATE TABLE test_results (
  run_id TEXT NOT NULL REFERENCES suite_runs (id) ON DELETE CASCADE,
  suite TEXT NOT NULL,
  test_id TEXT NOT NULL,
  run_order INTEGER NOT NULL,
  status TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  PRIMARY KEY (run_id, suite, test_id)
) STRICT;
CREATE INDEX test_results_history ON test_results (suite, test_id, run_order DESC, status);
`;

/*
 * Version 5: the frontier of QA crawls (`flotilla qa`), so a stopped or killed crawl resumes where it was.
 * - One row per URL a crawl has seen: `queued` (waiting, or being tested when the process died),
 *   `tested` (with its page record, the key that decides "same page", and its findings as JSON) or
 *   `not_tested` (with the reason). `claimed` is 1 once the URL took a place of the page budget, so a
 *   resumed crawl spends exactly what is left.
 * - `seq` is MAX + 1 per run at insert: the order URLs were discovered, which is breadth-first order
 *   within a depth; a resumed crawl queues them in that order again.
 * - A page's row, its findings and the rows of the links it queued are written in one transaction.
 */
const V5_SQL = `
CREATE TABLE qa_urls (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  seq INTEGER NOT NULL,
  depth INTEGER NOT NULL,
  state TEXT NOT NULL,
  claimed INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  page_key TEXT,
  page TEXT,
  findings TEXT,
  PRIMARY KEY (run_id, url)
) STRICT;
CREATE UNIQUE INDEX qa_urls_run_seq ON qa_urls (run_id, seq);
`;

/** The schema history, oldest first. Append to it; never edit a migration that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'jobs, runs, run items and the event log', sql: V1_SQL },
  { version: 2, description: 'leases held by one process at a time', sql: V2_SQL },
  { version: 3, description: 'run leases in the leases table', sql: V3_SQL },
  { version: 4, description: 'suite runs and their test results', sql: V4_SQL },
  { version: 5, description: 'the frontier, pages and findings of QA crawls', sql: V5_SQL },
];

/** The schema version this code writes: the version of the last migration. */
export const SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;

/** The database's `PRAGMA user_version`. */
export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** What `migrate` did. */
export interface MigrationResult {
  /** The version before. */
  readonly from: number;
  /** The version after. */
  readonly to: number;
}

/**
 * Brings the database up to the last of `migrations`, each in its own IMMEDIATE transaction with its
 * version bump, so a crash leaves the database at one version or the next and two processes opening
 * the same file at once run each migration once (the second waits for the lock, then sees the bump).
 * @throws StoreError `E_STORE_VERSION` when the database is newer than the code; `E_STORE` when a
 * migration fails (that migration is rolled back, the earlier ones stay).
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationResult {
  const latest = migrations.at(-1)?.version ?? 0;
  const from = guard(db, 'read the schema version', () => userVersion(db));
  refuseNewer(db, from, latest);
  for (const migration of migrations) {
    const apply = db.transaction(() => {
      const current = userVersion(db);
      refuseNewer(db, current, latest);
      if (current >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    });
    guard(db, `migrate the schema to version ${migration.version} (${migration.description})`, () =>
      apply.immediate(),
    );
  }
  return { from, to: Math.max(from, latest) };
}

function refuseNewer(db: Database.Database, version: number, latest: number): void {
  if (version <= latest) return;
  throw new StoreError(
    'E_STORE_VERSION',
    `The database ${db.name} has schema version ${version}, but this Flotilla knows versions up to ` +
      `${latest}: it was written by a newer Flotilla. Upgrade Flotilla, or use another home folder.`,
  );
}
