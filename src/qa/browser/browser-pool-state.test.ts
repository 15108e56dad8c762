import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import { startSite, type TestSite } from './fixtures/site.js';
import { BrowserPool, visitPage, type StorageState } from './index.js';

const never = new AbortController().signal;
let site: TestSite;
let pool: BrowserPool;

beforeAll(async () => {
  site = await startSite();
  pool = await BrowserPool.launch({
    contexts: 2,
    headers: { 'x-flotilla-test': 'yes' },
    cookies: [{ name: 'added', value: 'cookie', url: site.origin }],
    signal: never,
  });
});
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

/** The cookies and the test header a context sends, as the site's `/echo` page tells them. */
async function echo(target: BrowserContext): Promise<{ cookie: string; header: string }> {
  const visit = await visitPage(target, `${site.origin}/echo`, { timeoutMs: 10_000, signal: never });
  expect(visit.error).toBeUndefined();
  return JSON.parse(visit.title ?? '{}') as { cookie: string; header: string };
}

function session(value: string): StorageState {
  const cookie = { name: 'session', value, domain: '127.0.0.1', path: '/', expires: -1 };
  return {
    cookies: [{ ...cookie, httpOnly: true, secure: false, sameSite: 'Lax' }],
    origins: [],
  };
}

function closed(context: BrowserContext): Promise<void> {
  return new Promise((resolve) => context.once('close', () => resolve()));
}

describe('BrowserPool.setStorageState', () => {
  it('gives every context the new state: free ones at once, a leased one after its release', async () => {
    const held = await pool.acquire(never);
    await visitPage(held.context, `${site.origin}/set-cookie?name=before&value=1`, {
      timeoutMs: 10_000,
      signal: never,
    });
    pool.setStorageState(session('first'));

    const free = await pool.acquire(never);
    const seenByFree = await echo(free.context);
    expect(seenByFree.cookie).toContain('session=first');
    // The cookies and headers of `launch` stay.
    expect(seenByFree.cookie).toContain('added=cookie');
    expect(seenByFree.header).toBe('yes');

    // The holder goes on with the context it has, old cookies and all, until it gives it back.
    const seenByHeld = await echo(held.context);
    expect(seenByHeld.cookie).toContain('before=1');
    expect(seenByHeld.cookie).not.toContain('session=first');
    const heldClosed = closed(held.context);
    pool.release(held);
    pool.release(free);
    await heldClosed;

    const again = [await pool.acquire(never), await pool.acquire(never)];
    try {
      expect(again.map((lease) => lease.context)).not.toContain(held.context);
      for (const lease of again) {
        const seen = await echo(lease.context);
        expect(seen.cookie).toContain('session=first');
        expect(seen.cookie).not.toContain('before=1');
      }
    } finally {
      for (const lease of again) pool.release(lease);
    }
    expect(pool.stats).toMatchObject({ contexts: 2, leased: 0 });
  });

  it('replaces a context whose state changed while it was being made for a caller', async () => {
    pool.setStorageState(session('second'));
    // No await between the two: the contexts being made with 'second' are replaced before anyone has them.
    const waiting = pool.acquire(never);
    pool.setStorageState(session('third'));
    const lease = await waiting;
    try {
      const seen = await echo(lease.context);
      expect(seen.cookie).toContain('session=third');
      expect(seen.cookie).not.toContain('session=second');
    } finally {
      pool.release(lease);
    }
  });
});

describe('BrowserPool.openContext', () => {
  it('opens a context outside the slots with the headers and cookies of launch, and no session', async () => {
    const context = await pool.openContext();
    expect(pool.stats.contexts).toBe(2);
    const seen = await echo(context);
    expect(seen.cookie).toContain('added=cookie');
    expect(seen.cookie).not.toContain('session=');
    expect(seen.header).toBe('yes');
    const gone = closed(context);
    await pool.close();
    await gone;
    await expect(pool.openContext()).rejects.toSatisfy((error) => hasCode(error, 'E_STATE'));
    expect(() => pool.setStorageState(session('late'))).toThrow(/closed|stopp/);
  });
});
