import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/index.js';
import { leaseOwnerAlive, newLeaseOwner } from './lease-owner.js';
import { Store } from './store.js';
import { useTempStore } from './temp-store.fixture.js';

const temp = useTempStore('leases');
let store: Store;
beforeEach(() => {
  store = temp.current();
});

const T0 = '2025-01-02T03:00:00.000Z';
/** The ISO time `seconds` after T0. */
const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

describe('LeaseRepository', () => {
  it('gives a free lease to the first asker, and again to the same owner, keeping when it was taken', () => {
    expect(store.leases.get('jobs')).toBeUndefined();
    const first = store.leases.acquire('jobs', { owner: 'a', ttlMs: 30_000, now: T0 });
    const lease = { name: 'jobs', owner: 'a', acquiredAt: T0, expiresAt: at(30) };
    expect(first).toEqual({ acquired: true, lease, previous: undefined });
    expect(store.leases.get('jobs')).toEqual(lease);
    const again = store.leases.acquire('jobs', { owner: 'a', ttlMs: 30_000, now: at(10) });
    expect(again).toMatchObject({ acquired: true, lease: { acquiredAt: T0, expiresAt: at(40) } });
  });

  it('refuses an unexpired lease held by a live owner, and names the holder', () => {
    store.leases.acquire('jobs', { owner: 'a', ttlMs: 30_000, now: T0 });
    const attempt = store.leases.acquire('jobs', {
      owner: 'b',
      ttlMs: 30_000,
      now: at(29),
      alive: () => true,
    });
    expect(attempt).toEqual({
      acquired: false,
      holder: { name: 'jobs', owner: 'a', acquiredAt: T0, expiresAt: at(30) },
    });
    expect(store.leases.get('jobs')?.owner).toBe('a');
    // Another name is another lease.
    expect(store.leases.acquire('other', { owner: 'b', ttlMs: 1, now: T0 }).acquired).toBe(true);
  });

  it('takes over a lease once it has expired, or at once when its holder is dead', () => {
    store.leases.acquire('jobs', { owner: 'a', ttlMs: 30_000, now: T0 });
    const expired = store.leases.acquire('jobs', { owner: 'b', ttlMs: 30_000, now: at(30) });
    expect(expired).toMatchObject({ acquired: true, previous: { owner: 'a' }, lease: { owner: 'b' } });
    const dead = store.leases.acquire('jobs', { owner: 'c', ttlMs: 30_000, now: at(31), alive: () => false });
    expect(dead).toMatchObject({ acquired: true, previous: { owner: 'b' }, lease: { owner: 'c' } });
    // The one who lost it can neither renew nor release it.
    expect(store.leases.renew('jobs', 'b', 30_000, at(32))).toBe(false);
    expect(store.leases.release('jobs', 'b')).toBe(false);
    expect(store.leases.get('jobs')?.owner).toBe('c');
  });

  it('renews for its holder, even past expiry while nobody took it, and frees the lease on release', () => {
    store.leases.acquire('jobs', { owner: 'a', ttlMs: 30_000, now: T0 });
    expect(store.leases.renew('jobs', 'a', 30_000, at(60))).toBe(true);
    expect(store.leases.get('jobs')?.expiresAt).toBe(at(90));
    expect(store.leases.release('jobs', 'a')).toBe(true);
    expect(store.leases.get('jobs')).toBeUndefined();
    expect(store.leases.renew('jobs', 'a', 30_000, at(61))).toBe(false);
    expect(store.leases.acquire('jobs', { owner: 'b', ttlMs: 1, now: at(61) }).acquired).toBe(true);
  });

  it('is decided in the database, so a second connection to the file sees the holder', () => {
    const other = new Store(store.path);
    try {
      expect(store.leases.acquire('jobs', { owner: 'a', ttlMs: 30_000 }).acquired).toBe(true);
      expect(other.leases.acquire('jobs', { owner: 'b', ttlMs: 30_000 })).toMatchObject({
        acquired: false,
        holder: { owner: 'a' },
      });
      store.leases.release('jobs', 'a');
      expect(other.leases.acquire('jobs', { owner: 'b', ttlMs: 30_000 }).acquired).toBe(true);
    } finally {
      other.close();
    }
  });

  it('refuses a negative ttl or a time it cannot read, and writes nothing', () => {
    expect(() => store.leases.acquire('jobs', { owner: 'a', ttlMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => store.leases.acquire('jobs', { owner: 'a', ttlMs: 1, now: 'soon' })).toThrow(
      InvalidArgumentError,
    );
    expect(store.leases.get('jobs')).toBeUndefined();
  });
});

describe('lease owners', () => {
  it('are HOST:PID:RANDOM, unique within a process', () => {
    const owner = newLeaseOwner();
    expect(owner).toMatch(new RegExp(`^${hostname()}:${process.pid}:[0-9a-f]{8}$`));
    expect(newLeaseOwner()).not.toBe(owner);
  });

  it('are alive while their pid is, on this host; elsewhere, until their lease expires', () => {
    const host = hostname();
    expect(leaseOwnerAlive(newLeaseOwner(), host)).toBe(true);
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(exited.stdout.toString());
    expect(leaseOwnerAlive(`${host}:${deadPid}:00000000`, host)).toBe(false);
    expect(leaseOwnerAlive(`elsewhere:${deadPid}:00000000`, host)).toBe(true);
    expect(leaseOwnerAlive('not an owner', host)).toBe(true);
  });

  it.runIf(process.platform === 'linux')(
    'are dead once their process exited, even before it is reaped',
    async () => {
      // A child that ends only once the test says so, after its parent became `sleep 30`, which never
      // waits for it: a zombie for as long as the test needs (a shell might reap it before its `exec`).
      const go = join(mkdtempSync(join(tmpdir(), 'flotilla-zombie-')), 'go');
      const script = '(while [ ! -e "$1" ]; do sleep 0.01; done) & echo $!; exec sleep 30';
      const parent = spawn('sh', ['-c', script, 'sh', go], { stdio: ['ignore', 'pipe', 'ignore'] });
      const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
      try {
        const zombie = Number((await once(parent.stdout, 'data'))[0]);
        while (readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim() !== 'sleep') await pause();
        expect(leaseOwnerAlive(`${hostname()}:${zombie}:00000000`, hostname())).toBe(true);
        writeFileSync(go, '');
        const state = () => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]?.[0];
        while (state() !== 'Z') await pause();
        expect(() => process.kill(zombie, 0)).not.toThrow();
        expect(leaseOwnerAlive(`${hostname()}:${zombie}:00000000`, hostname())).toBe(false);
        expect(leaseOwnerAlive(`${hostname()}:${parent.pid}:00000000`, hostname())).toBe(true);
      } finally {
        parent.kill('SIGKILL');
        rmSync(dirname(go), { recursive: true, force: true });
      }
    },
  );

  it('with our own pid are alive only if this process made them (not a restarted PID 1’s predecessor)', () => {
    const host = hostname();
    expect(leaseOwnerAlive(newLeaseOwner(), host)).toBe(true);
    expect(leaseOwnerAlive(`${host}:${process.pid}:00000000`, host)).toBe(false);
  });
});
