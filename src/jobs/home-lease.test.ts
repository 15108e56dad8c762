import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTempStore } from '../store/temp-store.fixture.js';
import { HomeLease } from './home-lease.js';

const temp = useTempStore('home-lease');
afterEach(() => {
  vi.useRealTimers();
});

describe('HomeLease', () => {
  it('renews while held, and refuses new work once another process took the home over', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = temp.current();
    const lease = new HomeLease(store, '/home/x');
    lease.acquire();
    expect(store.leases.get('jobs')?.owner).toMatch(new RegExp(`:${process.pid}:`));
    vi.advanceTimersByTime(5_000);
    expect(() => lease.assertHeld()).not.toThrow();
    // Another process decides this one is dead (as after a suspension past the lease) and takes over.
    store.leases.acquire('jobs', { owner: 'other:1:00000000', ttlMs: 30_000, alive: () => false });
    expect(() => lease.assertHeld()).not.toThrow();
    vi.advanceTimersByTime(5_000);
    expect(() => lease.assertHeld()).toThrow(
      expect.objectContaining({ code: 'E_HOME_BUSY', message: expect.stringContaining('/home/x') as string }),
    );
    // Releasing leaves the new holder's lease alone.
    lease.release();
    expect(store.leases.get('jobs')?.owner).toBe('other:1:00000000');
  });

  it('names the live holder and when its lease frees', () => {
    const store = temp.current();
    store.leases.acquire('jobs', { owner: 'box:4242:00000000', ttlMs: 30_000, now: '2030-01-01T00:00:00Z' });
    const lease = new HomeLease(store, '/home/x');
    expect(() => lease.acquire()).toThrow(
      expect.objectContaining({
        code: 'E_HOME_BUSY',
        message: expect.stringContaining('(pid 4242 on box, since 2030-01-01T00:00:00.000Z)') as string,
      }),
    );
    expect(() => lease.acquire()).toThrow(/the home is free from 2030-01-01T00:00:30.000Z/);
  });
});
