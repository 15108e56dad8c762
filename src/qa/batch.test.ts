import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { qaSpecFor, startChainSite, type QaSite } from '../../test/fixtures/qa-site.js';
import { flush } from '../../test/helpers/deferred.js';
import { openStore, type Store } from '../store/index.js';
import { SITE_PASSWORD, SITE_USER, startLoginSite } from './auth/fixtures/login-site.js';
import { parseAuth } from './auth/index.js';
import { parseBatch, readBatchFile, runQaBatch } from './batch.js';
import type { QaSpec } from './qa-spec.js';

const DEFAULTS = { workers: 2, rate_limit: 3, max_pages: 100, max_depth: 3, max_runs: 2 };

let dir = '';
let store: Store;
const sites: QaSite[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-qa-batch-'));
  store = openStore({ home: dir });
});
afterEach(async () => {
  store.close();
  await Promise.all(sites.splice(0).map((site) => site.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function site(length = 6): Promise<QaSite> {
  const started = await startChainSite(length);
  sites.push(started);
  return started;
}

function spec(origin: string, extra: Partial<QaSpec> = {}): QaSpec {
  return qaSpecFor(origin, { max_pages: 3, max_depth: 10, ...extra });
}

describe('batches', () => {
  it('crawls at most --pool-size runs at once, each with its own settings, reports in batch order', async () => {
    const [a, b, c] = [await site(), await site(), await site()];
    for (const one of [a, b, c]) one.hold('/');
    const started: number[] = [];
    const batch = runQaBatch(
      [spec(a.origin, { max_pages: 2 }), spec(b.origin), spec(c.origin, { max_pages: 4 })],
      {
        store,
      },
      { poolSize: 2, started: (index) => started.push(index) },
    );
    await Promise.all([a.requested('/'), b.requested('/')]);
    for (let turn = 0; turn < 20; turn++) await flush();
    expect(started).toEqual([0, 1]);
    expect(c.hits).toEqual([]);
    b.release('/');
    await c.requested('/');
    expect(started).toEqual([0, 1, 2]);
    a.release('/');
    c.release('/');
    const runs = await batch;
    expect(runs.map((run) => ('report' in run ? run.report.summary.pages_tested : run))).toEqual([2, 3, 4]);
    const ids = runs.map((run) => ('id' in run ? run.id : ''));
    expect(new Set(ids).size).toBe(3);
    expect(ids.map((id) => store.runs.get(id)?.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  }, 90_000);

  it('spaces navigations to one host at the strictest rate of the batch, across its runs', async () => {
    const shared = await site(10);
    const runs = await runQaBatch(
      [
        spec(shared.origin, { rate_limit: 2, max_pages: 3 }),
        spec(shared.origin, { rate_limit: 50, max_pages: 3 }),
      ],
      { store },
      { poolSize: 2 },
    );
    expect(runs.every((run) => 'report' in run)).toBe(true);
    // Six navigations to one host at 2 per second, whichever run takes them: turns 500 ms apart. The first
    // two (one per run) open a fresh context and arrive late by an unknown amount, so the last four are
    // measured: three gaps, at least 1.5 s less the jitter of opening a page after its turn. Each run with
    // its own rate alone would have ended within about 1 s.
    const times = shared.times;
    expect(times).toHaveLength(6);
    expect(times[5]! - times[2]!).toBeGreaterThan(3 * 500 - 200);
  }, 90_000);

  it('logs in once for the whole batch: every run crawls behind the same session', async () => {
    const login = await startLoginSite();
    try {
      const runs = await runQaBatch(
        [
          spec(login.origin, { max_pages: 4 }),
          spec(login.origin, { urls: [`${login.origin}/p/5`], max_pages: 4 }),
        ],
        {
          store,
          access: {
            pool: {},
            login: {
              credentials: parseAuth(
                `${SITE_USER}:${encodeURIComponent(SITE_PASSWORD)}@${login.origin}/login`,
                {},
              ),
              selectors: {},
            },
          },
        },
        { poolSize: 2 },
      );
      expect(runs.map((run) => ('report' in run ? run.report.summary.pages_tested : run))).toEqual([4, 4]);
      expect(login.loginPosts()).toBe(1);
      for (const run of runs) {
        if (!('report' in run)) continue;
        expect(run.report.pages.every((page) => page.status === 200 && page.final_url === undefined)).toBe(
          true,
        );
        expect(store.runs.get(run.id)?.spec).toMatchObject({
          access: { login_url: `${login.origin}/login` },
        });
      }
    } finally {
      await login.close();
    }
  }, 90_000);

  it('names the entry and the field of a bad batch, before anything starts', async () => {
    expect(() =>
      parseBatch([{ urls: ['http://a/'] }, { urls: ['http://b/'], max_pages: 0 }], DEFAULTS, 'runs.json'),
    ).toThrow('runs.json: [1].max_pages: expected an integer ≥ 1');
    expect(() => parseBatch({ urls: [] }, DEFAULTS, 'runs.json')).toThrow(
      'runs.json: expected a non-empty JSON array',
    );
    expect(() => parseBatch([{ url: 'http://a/' }], DEFAULTS, 'runs.json')).toThrow(/runs\.json: \[0\]/);
    const file = join(dir, 'runs.json');
    writeFileSync(file, '[{"urls": ["http://a/"], "password": "hunter2"');
    await expect(readBatchFile(file, DEFAULTS, 'runs.json')).rejects.toThrow(/^runs\.json: not valid JSON/);
    await expect(readBatchFile(file, DEFAULTS, 'runs.json')).rejects.not.toThrow(/hunter2/);
    await expect(readBatchFile(join(dir, 'none.json'), DEFAULTS, 'none.json')).rejects.toThrow(
      '--batch-file none.json: cannot be read (no such file)',
    );
    const filled = parseBatch(
      [{ urls: ['http://a/'] }, { urls: ['http://b/'], fail_on: 'low' }],
      DEFAULTS,
      'x',
      {
        fail_on: 'critical',
      },
    );
    expect(filled.map((one) => [one.fail_on, one.workers])).toEqual([
      ['critical', 2],
      ['low', 2],
    ]);
  });
});
