import type Database from 'better-sqlite3';
import { assertNonNegative } from '../core/index.js';
import { nowIso } from '../events/index.js';
import { addMs, encodeTime } from './sql-values.js';
import { guard } from './store-error.js';

/** A lease as stored: who holds it, since when, and until when unless renewed. */
export interface LeaseRecord {
  readonly name: string;
  readonly owner: string;
  readonly acquiredAt: string;
  readonly expiresAt: string;
}

/** Who asks for a lease, for how long, and (for tests) what time it is. */
export interface LeaseRequest {
  /** A stable id of the asking process (see `newLeaseOwner`). */
  readonly owner: string;
  /** How long the lease lasts from `now`; renew it well before that. */
  readonly ttlMs: number;
  /** @default now */
  readonly now?: string;
  /**
   * Whether the holder of an unexpired lease may still be alive. A holder known to be dead (its pid is
   * gone on this host, see `leaseOwnerAlive`) gives the lease up at once instead of at expiry.
   * @default every holder is alive until its lease expires
   */
  readonly alive?: (owner: string) => boolean;
}

/** What `acquire` found: the lease is now the asker's, or someone else holds it. */
export type LeaseAttempt =
  | { readonly acquired: true; readonly lease: LeaseRecord; readonly previous: LeaseRecord | undefined }
  | { readonly acquired: false; readonly holder: LeaseRecord };

interface LeaseRow {
  name: string;
  owner: string;
  acquired_at: string;
  expires_at: string;
}

function toRecord(row: LeaseRow): LeaseRecord {
  return { name: row.name, owner: row.owner, acquiredAt: row.acquired_at, expiresAt: row.expires_at };
}

/**
 * The `leases` table: named things one process at a time may drive, such as the job service of a home.
 * A holder renews its lease (a heartbeat) and releases it when it stops; a holder that dies lets it
 * expire, or loses it at once to a process on its host that sees its pid is gone.
 */
export class LeaseRepository {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string], LeaseRow>;
  readonly #put: Database.Statement<[LeaseRow]>;
  readonly #renew: Database.Statement<[string, string, string]>;
  readonly #release: Database.Statement<[string, string]>;
  readonly #acquire: Database.Transaction<(name: string, request: LeaseRequest) => LeaseAttempt>;

  /** @internal The `Store` creates it; prepares every statement once. */
  constructor(db: Database.Database) {
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM leases WHERE name = ?');
    this.#put = db.prepare(`
      INSERT OR REPLACE INTO leases (name, owner, acquired_at, expires_at)
      VALUES (@name, @owner, @acquired_at, @expires_at)`);
    this.#renew = db.prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ?');
    this.#release = db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?');
    this.#acquire = db.transaction((name: string, request: LeaseRequest): LeaseAttempt => {
      const now = encodeTime('now', request.now ?? nowIso());
      const expires = addMs('now', now, assertNonNegative('ttlMs', request.ttlMs));
      const row = this.#get.get(name);
      const previous = row === undefined ? undefined : toRecord(row);
      const free =
        previous === undefined ||
        previous.owner === request.owner ||
        previous.expiresAt <= now ||
        !(request.alive?.(previous.owner) ?? true);
      if (!free) return { acquired: false, holder: previous };
      const mine: LeaseRow = {
        name,
        owner: request.owner,
        acquired_at: previous?.owner === request.owner ? previous.acquiredAt : now,
        expires_at: expires,
      };
      this.#put.run(mine);
      return { acquired: true, lease: toRecord(mine), previous };
    });
  }

  /** The lease `name`, or `undefined` when nobody holds it (an expired one is still returned). */
  get(name: string): LeaseRecord | undefined {
    const row = guard(this.#db, `read lease ${name}`, () => this.#get.get(name));
    return row === undefined ? undefined : toRecord(row);
  }

  /**
   * Takes the lease `name` for `request.owner` when nobody holds it, the owner already does, it has
   * expired, or its holder is dead (`request.alive`); otherwise leaves it and says who holds it. One
   * IMMEDIATE transaction, so two processes asking at once never both get it.
   */
  acquire(name: string, request: LeaseRequest): LeaseAttempt {
    return guard(this.#db, `acquire lease ${name}`, () => this.#acquire.immediate(name, request));
  }

  /**
   * Extends the lease to `ttlMs` from `now` if `owner` still holds it (even past its expiry, as long as
   * nobody took it meanwhile: a holder that was suspended carries on). Returns whether it did.
   */
  renew(name: string, owner: string, ttlMs: number, now: string = nowIso()): boolean {
    const expires = addMs('now', encodeTime('now', now), assertNonNegative('ttlMs', ttlMs));
    return guard(this.#db, `renew lease ${name}`, () => this.#renew.run(expires, name, owner).changes === 1);
  }

  /** Gives the lease up if `owner` holds it. Returns whether it did. */
  release(name: string, owner: string): boolean {
    return guard(this.#db, `release lease ${name}`, () => this.#release.run(name, owner).changes === 1);
  }
}
