import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import { ourBrowserMains, processesNaming, userDataDirOf } from './fixtures/chromium-processes.js';
import { startSite, type TestSite } from './fixtures/site.js';
import { BrowserPool, visitPage, type ContextLease, type StorageState } from './index.js';

const never = new AbortController().signal;
const timeoutMs = 10_000;
let site: TestSite;

beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => {
  await site.close();
});

/** The title of `path` as a context sees it: the test site's pages say what they got in their titles. */
async function titleOf(lease: ContextLease, path: string): Promise<string> {
  const visit = await visitPage(lease.context, `${site.origin}${path}`, { timeoutMs, signal: never });
  expect(visit.error).toBeUndefined();
  return visit.title ?? '';
}

async function echo(lease: ContextLease): Promise<{ cookie: string; agent: string; header: string }> {
  return JSON.parse(await titleOf(lease, '/echo')) as { cookie: string; agent: string; header: string };
}

/** The one browser main process this test process has, and the profile folder it runs with. */
function theBrowser(): { pid: number; userDataDir: string } {
  const mains = ourBrowserMains();
  expect(mains).toHaveLength(1);
  return { pid: mains[0]!.pid, userDataDir: userDataDirOf(mains[0]!) };
}

describe('BrowserPool', () => {
  let pool: BrowserPool;
  let storageState: StorageState;

  beforeAll(async () => {
    storageState = {
      cookies: [
        {
          name: 'given',
          value: 'state',
          domain: '127.0.0.1',
          path: '/',
          expires: -1,
          httpOnly: false,
          secure: false,
          sameSite: 'Lax',
        },
      ],
      origins: [{ origin: site.origin, localStorage: [{ name: 'k', value: 'from-storage-state' }] }],
    };
    pool = await BrowserPool.launch({
      contexts: 4,
      pagesPerContext: 3,
      storageState,
      headers: { 'x-flotilla-test': 'yes' },
      cookies: [{ name: 'added', value: 'cookie', url: site.origin }],
      userAgent: 'FlotillaQA/1.0',
      signal: never,
    });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('runs one browser process for its 4 contexts, whatever their number', () => {
    theBrowser();
    expect(pool.stats).toMatchObject({ contexts: 4, leased: 0, launches: 1, crashes: 0 });
  });

  it('leases each context to one holder at a time, and makes the next caller wait for a release', async () => {
    const leases = await Promise.all([0, 1, 2, 3].map(() => pool.acquire(never)));
    expect(new Set(leases.map((lease) => lease.slot))).toEqual(new Set([0, 1, 2, 3]));
    expect(new Set(leases.map((lease) => lease.context)).size).toBe(4);
    const fifth = pool.acquire(never);
    const aborted = new AbortController();
    const sixth = pool.acquire(aborted.signal);
    expect(pool.stats.waiting).toBe(2);
    aborted.abort(new Error('no longer needed'));
    await expect(sixth).rejects.toThrow('no longer needed');
    pool.release(leases[2]!);
    const next = await fifth;
    expect(next.slot).toBe(2);
    pool.release(next);
    pool.release(next); // twice: nothing happens
    for (const lease of leases) pool.release(lease);
    expect(pool.stats).toMatchObject({ leased: 0, waiting: 0 });
  });

  it('isolates contexts: a cookie one sets is not in another, the storage state and options are in all', async () => {
    const [a, b] = [await pool.acquire(never), await pool.acquire(never)];
    try {
      await titleOf(a, '/set-cookie?name=mine&value=a');
      const seenByA = await echo(a);
      const seenByB = await echo(b);
      expect(seenByA.cookie).toContain('mine=a');
      expect(seenByB.cookie).not.toContain('mine=a');
      for (const seen of [seenByA, seenByB]) {
        expect(seen.cookie).toContain('given=state');
        expect(seen.cookie).toContain('added=cookie');
        expect(seen).toMatchObject({ agent: 'FlotillaQA/1.0', header: 'yes' });
      }
      expect(await titleOf(b, '/storage')).toBe('from-storage-state');
    } finally {
      pool.release(a);
      pool.release(b);
    }
  });

  it('replaces a context after pagesPerContext pages with a fresh one that has the same storage state', async () => {
    const before = pool.stats;
    const lease = await pool.acquire(never);
    const { slot, context } = lease;
    await titleOf(lease, '/set-cookie?name=session&value=old');
    await titleOf(lease, '/one');
    await titleOf(lease, '/two');
    pool.release(lease);
    expect(pool.stats.recycled).toBe(before.recycled + 1);

    const again = await pool.acquire(never);
    try {
      expect(again.slot).toBe(slot);
      expect(again.context).not.toBe(context);
      const seen = await echo(again);
      expect(seen.cookie).not.toContain('session=old');
      expect(seen.cookie).toContain('given=state');
      expect(seen.cookie).toContain('added=cookie');
      expect(await titleOf(again, '/storage')).toBe('from-storage-state');
    } finally {
      pool.release(again);
    }
    expect(pool.stats).toMatchObject({ contexts: 4, pages: before.pages + 5 });
    theBrowser();
  });

  it('reports the memory of its process tree', async () => {
    const tree = await pool.processTree();
    expect(tree.pids).toContain(theBrowser().pid);
    expect(tree.pids.length).toBeGreaterThan(3);
    expect(tree.pssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(tree.rssBytes).toBeGreaterThanOrEqual(tree.pssBytes);
  });
});

describe('BrowserPool.close', () => {
  it('leaves no process of the browser, and refuses leases after', async () => {
    const pool = await BrowserPool.launch({ contexts: 2, signal: never });
    const { userDataDir } = theBrowser();
    expect(processesNaming(userDataDir).length).toBeGreaterThan(2);
    const held = await pool.acquire(never);
    await pool.acquire(never);
    const waiting = pool.acquire(never).catch((error: unknown) => error);
    expect(pool.stats).toMatchObject({ leased: 2, waiting: 1 });
    await pool.close();
    expect(held.signal.aborted).toBe(true);
    expect(hasCode(await waiting, 'E_STATE')).toBe(true);
    await expect(pool.acquire(never)).rejects.toSatisfy((error) => hasCode(error, 'E_STATE'));
    expect(processesNaming(userDataDir)).toEqual([]);
    expect(ourBrowserMains()).toEqual([]);
    pool.release(held); // after close: nothing happens
    await pool.close(); // twice: the same close
  });

  it('kills the browser when it does not close (a stopped process), as a last resort', async () => {
    const pool = await BrowserPool.launch({ contexts: 1, closeTimeoutMs: 300, signal: never });
    const { pid, userDataDir } = theBrowser();
    process.kill(pid, 'SIGSTOP');
    await pool.close();
    expect(processesNaming(userDataDir)).toEqual([]);
    expect(ourBrowserMains()).toEqual([]);
  });
});

describe('BrowserPool after a crash', () => {
  it('gives the holders a clear error, relaunches the browser once, then gives up', async () => {
    const pool = await BrowserPool.launch({ contexts: 2, signal: never });
    try {
      const first = theBrowser();
      const held = await pool.acquire(never);
      process.kill(first.pid, 'SIGKILL');
      await expect.poll(() => held.signal.aborted, { timeout: 5_000 }).toBe(true);
      expect(hasCode(held.signal.reason, 'E_BROWSER_CRASHED')).toBe(true);
      expect(held.signal.reason).toMatchObject({ relaunched: true });
      expect(String(held.signal.reason)).toMatch(/crashed.*relaunched/);
      const visit = await visitPage(held.context, `${site.origin}/`, { timeoutMs, signal: never });
      expect(visit.error?.kind).toBe('crash');
      pool.release(held);

      const lease = await pool.acquire(never);
      expect(await titleOf(lease, '/')).toBe('Home page');
      pool.release(lease);
      expect(pool.stats).toMatchObject({ launches: 2, crashes: 1 });
      const second = theBrowser();
      expect(second.pid).not.toBe(first.pid);
      expect(processesNaming(first.userDataDir)).toEqual([]);

      process.kill(second.pid, 'SIGKILL');
      await expect.poll(() => pool.stats.crashes, { timeout: 5_000 }).toBe(2);
      await expect(pool.acquire(never)).rejects.toMatchObject({
        code: 'E_BROWSER_CRASHED',
        relaunched: false,
      });
      expect(pool.stats.launches).toBe(2);
    } finally {
      await pool.close();
    }
    expect(ourBrowserMains()).toEqual([]);
  });
});
