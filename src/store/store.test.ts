import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION, userVersion, type Migration } from './migrations.js';
import { StoreError } from './store-error.js';
import { openStore, STORE_FILE_NAME, type Store } from './store.js';

let dir: string;
let opened: (Store | Database.Database)[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-store-'));
  opened = [];
});
afterEach(() => {
  for (const handle of opened) handle.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(options: Parameters<typeof openStore>[0] = { home: dir }): Store {
  const store = openStore(options);
  opened.push(store);
  return store;
}

/** A second, raw connection to the database file, to look at it from outside the store. */
function raw(path = join(dir, STORE_FILE_NAME)): Database.Database {
  const db = new Database(path);
  opened.push(db);
  return db;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('openStore', () => {
  it('creates a missing home folder and <home>/flotilla.db, migrated, in WAL mode', () => {
    const home = join(dir, 'a', 'b');
    const store = open({ home });
    expect(store.path).toBe(join(home, STORE_FILE_NAME));
    expect(existsSync(store.path)).toBe(true);
    expect(store.settings).toEqual({
      journalMode: 'wal',
      synchronous: 'normal',
      foreignKeys: true,
      busyTimeoutMs: 5_000,
      schemaVersion: SCHEMA_VERSION,
    });
    expect(raw(store.path).pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('opens a file path, with the chosen synchronous mode and busy timeout', () => {
    const path = join(dir, 'nested', 'custom.db');
    const store = open({ path, synchronous: 'full', busyTimeoutMs: 250 });
    expect(store.path).toBe(path);
    expect(store.settings).toMatchObject({ synchronous: 'full', busyTimeoutMs: 250 });
  });

  it('re-opens idempotently: same version, data kept, nothing migrated twice', () => {
    const first = open();
    first.jobs.insert({ id: 'j1', agent: 'a', prompt: 'p', spec: null });
    first.close();
    const second = open();
    expect(second.schemaVersion).toBe(SCHEMA_VERSION);
    expect(second.jobs.get('j1')?.prompt).toBe('p');
    second.close();
    expect(migrate(raw())).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
  });

  it('refuses a database written by a newer Flotilla, and leaves it as it was', () => {
    open().close();
    const db = raw();
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    const error = thrown(() => open());
    expect(error).toBeInstanceOf(StoreError);
    expect(hasCode(error, 'E_STORE_VERSION')).toBe(true);
    expect((error as Error).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(userVersion(db)).toBe(SCHEMA_VERSION + 1);
  });

  it('refuses a file that is not a database with E_STORE', () => {
    const path = join(dir, 'junk.db');
    writeFileSync(path, 'this is not a database, it is a text file long enough to have a header');
    const error = thrown(() => open({ path }));
    expect(error).toBeInstanceOf(StoreError);
    expect(hasCode(error, 'E_STORE')).toBe(true);
  });

  it('rejects a bad busy timeout before touching the disk', () => {
    expect(() => open({ home: dir, busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
    expect(existsSync(join(dir, STORE_FILE_NAME))).toBe(false);
  });
});

describe('migrate', () => {
  const extra: Migration = {
    version: SCHEMA_VERSION + 1,
    description: 'test',
    sql: 'CREATE TABLE extra (x);',
  };

  it('applies pending migrations once each, in order', () => {
    const db = raw(join(dir, 'm.db'));
    expect(migrate(db)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(migrate(db, [...MIGRATIONS, extra])).toEqual({ from: SCHEMA_VERSION, to: extra.version });
    expect(migrate(db, [...MIGRATIONS, extra])).toEqual({ from: extra.version, to: extra.version });
    expect(userVersion(db)).toBe(extra.version);
  });

  it('version 3 moves the lease of a run being driven into the leases table', () => {
    const db = raw(join(dir, 'm.db'));
    migrate(db, MIGRATIONS.slice(0, 2));
    const insert = db.prepare(`
      INSERT INTO runs (id, created_order, kind, status, created_at, started_at, lease_owner, lease_expires_at)
      VALUES (?, ?, 'workflow', ?, '2025-01-02T03:00:00.000Z', ?, ?, ?)`);
    insert.run('r1', 1, 'running', '2025-01-02T03:00:01.000Z', 'box:12:ab', '2025-01-02T03:00:31.000Z');
    insert.run('r2', 2, 'succeeded', null, null, null);
    expect(migrate(db)).toEqual({ from: 2, to: SCHEMA_VERSION });
    expect(db.prepare('SELECT * FROM leases').all()).toEqual([
      {
        name: 'run:r1',
        owner: 'box:12:ab',
        acquired_at: '2025-01-02T03:00:01.000Z',
        expires_at: '2025-01-02T03:00:31.000Z',
      },
    ]);
    const columns = db.prepare("SELECT name FROM pragma_table_info('runs')").all() as { name: string }[];
    expect(columns.map(({ name }) => name)).not.toContain('lease_owner');
    expect(db.prepare('SELECT id, status FROM runs ORDER BY id').all()).toEqual([
      { id: 'r1', status: 'running' },
      { id: 'r2', status: 'succeeded' },
    ]);
  });

  it('rolls a failing migration back whole, keeping the versions before it', () => {
    const db = raw(join(dir, 'm.db'));
    const broken: Migration = {
      version: SCHEMA_VERSION + 1,
      description: 'broken',
      sql: 'CREATE TABLE half (x); INSERT INTO no_such_table VALUES (1);',
    };
    const error = thrown(() => migrate(db, [...MIGRATIONS, broken]));
    expect(hasCode(error, 'E_STORE')).toBe(true);
    expect((error as Error).message).toContain(`version ${SCHEMA_VERSION + 1} (broken)`);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
  });
});

describe('Store', () => {
  it('transaction commits every write together', () => {
    const store = open();
    const seq = store.transaction(() => {
      store.jobs.insert({ id: 'j1', agent: 'a', prompt: 'p', spec: {} });
      return store.events.append({ type: 'job.status', jobId: 'j1', status: 'queued', at: 'x' }).seq;
    });
    expect(seq).toBe(1);
    expect(store.jobs.get('j1')).toBeDefined();
  });

  it('transaction rolls everything back when fn throws, and rethrows the same error', () => {
    const store = open();
    const boom = new Error('boom');
    const error = thrown(() =>
      store.transaction(() => {
        store.jobs.insert({ id: 'j1', agent: 'a', prompt: 'p', spec: {} });
        store.events.append({ type: 'job.status', jobId: 'j1', status: 'queued', at: 'x' });
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(store.jobs.get('j1')).toBeUndefined();
    expect(store.events.list('j1')).toEqual([]);
  });

  it('nested transactions are savepoints: an inner failure caught inside keeps the outer writes', () => {
    const store = open();
    store.transaction(() => {
      store.jobs.insert({ id: 'outer', agent: 'a', prompt: 'p', spec: {} });
      expect(() =>
        store.transaction(() => {
          store.jobs.insert({ id: 'inner', agent: 'a', prompt: 'p', spec: {} });
          store.jobs.insert({ id: 'inner', agent: 'a', prompt: 'p', spec: {} });
        }),
      ).toThrow(StoreError);
    });
    expect(store.jobs.get('outer')).toBeDefined();
    expect(store.jobs.get('inner')).toBeUndefined();
  });

  it('two stores on one file see each other’s commits (WAL)', () => {
    const a = open();
    const b = open();
    a.jobs.insert({ id: 'j1', agent: 'a', prompt: 'p', spec: {} });
    expect(b.jobs.get('j1')?.id).toBe('j1');
  });

  it('close is idempotent; using a closed store is a StoreError', () => {
    const store = open();
    store.close();
    store.close();
    expect(store.open).toBe(false);
    const error = thrown(() => store.jobs.get('j1'));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/closed/);
  });
});
