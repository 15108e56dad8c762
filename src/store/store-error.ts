import Database from 'better-sqlite3';
import { FlotillaError, type ErrorCode } from '../core/index.js';

/**
 * The codes a `StoreError` carries:
 * - `E_STORE`: the database could not be opened, read or written (I/O, disk full, corruption, closed store).
 * - `E_STORE_VERSION`: the database was written by a newer Flotilla; this one refuses to touch it.
 * - `E_STORE_DUPLICATE`: a row with the same key already exists (nothing was written).
 * - `E_STORE_BUSY`: another process held the database lock for longer than the busy timeout.
 */
export type StoreErrorCode = Extract<
  ErrorCode,
  'E_STORE' | 'E_STORE_VERSION' | 'E_STORE_DUPLICATE' | 'E_STORE_BUSY'
>;

/** A failure of the run store that a caller must understand. The SQLite error, if any, is the `cause`. */
export class StoreError extends FlotillaError {
  declare readonly code: StoreErrorCode;
  /** SQLite's extended result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_PRIMARYKEY`, …), when SQLite failed. */
  readonly sqliteCode: string | undefined;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.sqliteCode = options?.cause instanceof Database.SqliteError ? options.cause.code : undefined;
  }
}

/** Maps SQLite's extended result codes to the code a caller acts on. */
function codeOf(sqliteCode: string): StoreErrorCode {
  if (sqliteCode === 'SQLITE_CONSTRAINT_PRIMARYKEY' || sqliteCode === 'SQLITE_CONSTRAINT_UNIQUE') {
    return 'E_STORE_DUPLICATE';
  }
  if (sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED')) return 'E_STORE_BUSY';
  return 'E_STORE';
}

/**
 * Runs `fn` and turns a SQLite failure (or use of a closed database) into a `StoreError` that says what
 * was being done. Every other error — a caller's own, an `InvalidArgumentError`, a `StoreError` from a
 * nested call — passes through unchanged.
 */
export function guard<T>(db: Database.Database, action: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toStoreError(db, action, error);
  }
}

/** The `StoreError` for a failure of `action`, or `error` itself when it is not SQLite's. */
export function toStoreError(db: Database.Database, action: string, error: unknown): unknown {
  if (error instanceof Database.SqliteError) {
    return new StoreError(codeOf(error.code), `Could not ${action}: ${error.message}`, { cause: error });
  }
  if (!(error instanceof StoreError) && !db.open) {
    return new StoreError('E_STORE', `Could not ${action}: the store is closed`, { cause: error });
  }
  return error;
}
