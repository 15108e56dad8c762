import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openStore, type Store } from './store.js';

/**
 * Gives each test of the file a fresh store in its own temporary home, closed and removed after the test.
 * `current()` is the open store (it only exists while a test runs); `reopen()` closes it and opens the
 * same database again, as a restarted process would.
 */
export function useTempStore(name: string): { current: () => Store; reopen: () => Store } {
  let dir = '';
  let store: Store | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `flotilla-${name}-`));
    store = openStore({ home: dir });
  });
  afterEach(() => {
    store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const current = (): Store => {
    if (store === undefined) throw new Error('useTempStore: the store exists only inside a test');
    return store;
  };
  const reopen = (): Store => {
    current().close();
    store = openStore({ home: dir });
    return store;
  };
  return { current, reopen };
}
