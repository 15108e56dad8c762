import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { assertCount } from '../core/index.js';
import { EventRepository } from './event-repository.js';
import { JobRepository } from './job-repository.js';
import { LeaseRepository } from './lease-repository.js';
import { migrate, userVersion } from './migrations.js';
import { QaRepository } from './qa-repository.js';
import { RunItemRepository } from './run-item-repository.js';
import { RunRepository } from './run-repository.js';
import { guard, StoreError, toStoreError } from './store-error.js';
import { SuiteHistoryRepository } from './suite-history-repository.js';

/** The file name of the database inside the home folder. */
export const STORE_FILE_NAME = 'flotilla.db';

/** How long a write waits for another connection's lock before failing with `E_STORE_BUSY`. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/**
 * How hard SQLite pushes each commit to disk (`PRAGMA synchronous`), in WAL mode:
 * - `'normal'`: a commit is written to the WAL (into the OS page cache) before it returns, and the WAL is
 *   fsynced at each checkpoint. Nothing committed is lost when the process dies, even by SIGKILL: the
 *   kernel still holds the write. An OS crash or power loss can lose the commits made since the last
 *   checkpoint, but never corrupts the database.
 * - `'full'`: also fsyncs the WAL on every commit, so commits survive power loss too, at the cost of one
 *   fsync per write transaction (milliseconds each on most disks, more on network storage).
 */
export type SynchronousMode = 'normal' | 'full';

/** Options of a `Store`. */
export interface StoreOptions {
  /**
   * How long a write waits for another process's lock, in milliseconds.
   * @default DEFAULT_BUSY_TIMEOUT_MS
   */
  readonly busyTimeoutMs?: number;
  /**
   * See `SynchronousMode`. `'normal'` meets Flotilla's promise (nothing acknowledged is lost on `kill -9`)
   * and keeps a 1,000-item fan-out free of 1,000 fsyncs; choose `'full'` to survive power loss as well.
   * @default 'normal'
   */
  readonly synchronous?: SynchronousMode;
}

/** Where `openStore` finds the database: a home folder (holding `flotilla.db`) or the file itself. */
export type StoreLocation = { readonly home: string } | { readonly path: string };

/** The settings of an open store's connection, as SQLite reports them (for diagnostics and tests). */
export interface StoreSettings {
  readonly journalMode: string;
  readonly synchronous: SynchronousMode | 'off' | 'extra';
  readonly foreignKeys: boolean;
  readonly busyTimeoutMs: number;
  readonly schemaVersion: number;
}

const SYNCHRONOUS_NAMES = ['off', 'normal', 'full', 'extra'] as const;

/**
 * The run store: one SQLite database (WAL mode, foreign keys on, migrated on open) with a repository per
 * table (the suite history's covers its two). Calls are synchronous; better-sqlite3 does not yield to the
 * event loop, which keeps each write atomic with the in-memory state change around it. Open it with
 * `openStore`, close it with `close`.
 */
export class Store {
  /** The database file. */
  readonly path: string;
  readonly jobs: JobRepository;
  readonly runs: RunRepository;
  readonly items: RunItemRepository;
  readonly events: EventRepository;
  readonly leases: LeaseRepository;
  /** The history of `flotilla suites` runs: each run's tests, flake rates, slow tests. */
  readonly suiteHistory: SuiteHistoryRepository;
  /** The frontier, pages and findings of QA crawls (`flotilla qa`), for resuming them. */
  readonly qa: QaRepository;
  readonly #db: Database.Database;
  readonly #transaction: Database.Transaction<(fn: () => unknown) => unknown>;

  /**
   * Opens (creating if need be) the database at `path` and brings its schema up to date.
   * @throws StoreError `E_STORE_VERSION` when the database is newer than this code; `E_STORE` when it
   * cannot be opened, is not a Flotilla database, or cannot be put in WAL mode.
   */
  constructor(path: string, options: StoreOptions = {}) {
    const busyTimeoutMs = assertCount('busyTimeoutMs', options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, 0);
    const synchronous = options.synchronous ?? 'normal';
    this.path = path;
    let db: Database.Database;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { timeout: busyTimeoutMs });
    } catch (cause) {
      throw new StoreError('E_STORE', `Could not open the store ${path}: ${String(cause)}`, { cause });
    }
    try {
      guard(db, `open the store ${path}`, () => configure(db, synchronous));
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
    this.#transaction = db.transaction((fn: () => unknown) => fn());
    this.jobs = new JobRepository(db);
    this.runs = new RunRepository(db);
    this.items = new RunItemRepository(db);
    this.events = new EventRepository(db);
    this.leases = new LeaseRepository(db);
    this.suiteHistory = new SuiteHistoryRepository(db);
    this.qa = new QaRepository(db);
  }

  /** The schema version of the open database (`PRAGMA user_version`). */
  get schemaVersion(): number {
    return guard(this.#db, 'read the schema version', () => userVersion(this.#db));
  }

  /** The connection's settings, read back from SQLite. */
  get settings(): StoreSettings {
    const db = this.#db;
    return guard(db, 'read the store settings', () => ({
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: SYNCHRONOUS_NAMES[db.pragma('synchronous', { simple: true }) as number] ?? 'extra',
      foreignKeys: db.pragma('foreign_keys', { simple: true }) === 1,
      busyTimeoutMs: db.pragma('busy_timeout', { simple: true }) as number,
      schemaVersion: userVersion(db),
    }));
  }

  /** Whether the store is open. */
  get open(): boolean {
    return this.#db.open;
  }

  /**
   * Runs `fn` in one transaction: every write in it commits together, or none does when it throws (the
   * error is rethrown as is). `fn` must be synchronous — an `await` inside would commit half-way — and
   * may nest (inner calls become savepoints). The transaction takes the write lock at once (IMMEDIATE),
   * so it never fails half-way for a lock another process took.
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.#transaction.immediate(fn) as T;
    } catch (error) {
      throw toStoreError(this.#db, 'run a transaction', error);
    }
  }

  /** Closes the database; later calls on the store fail with `StoreError`. Closing twice is harmless. */
  close(): void {
    if (!this.#db.open) return;
    // SQLite asks long-lived connections to run `optimize` before closing; it is cheap when nothing changed.
    guard(this.#db, 'close the store', () => {
      try {
        this.#db.pragma('optimize');
      } finally {
        this.#db.close();
      }
    });
  }
}

/**
 * Opens the store of a home folder (`<home>/flotilla.db`, creating the folder if missing) or at a file
 * path, migrating it to the current schema.
 */
export function openStore(location: StoreLocation & StoreOptions): Store {
  const path = 'home' in location ? join(location.home, STORE_FILE_NAME) : location.path;
  return new Store(path, location);
}

function configure(db: Database.Database, synchronous: SynchronousMode): void {
  // WAL: readers never block the writer, and a commit is one append to the log.
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    throw new StoreError(
      'E_STORE',
      `Could not put the store ${db.name} in WAL mode (SQLite kept "${String(mode)}"); ` +
        'is it on a file system without shared memory, such as a network share?',
    );
  }
  // See `SynchronousMode` for why NORMAL is the default: it keeps every commit across SIGKILL.
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
}
