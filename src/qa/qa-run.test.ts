import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { qaSpecFor, startChainSite, type QaSite } from '../../test/fixtures/qa-site.js';
import { hasCode } from '../core/index.js';
import { EventBus, type SequencedEvent } from '../events/index.js';
import { openStore, type Store } from '../store/index.js';
import { BrowserPool } from './browser/index.js';
import { resumeQaRun, startQaRun, type QaRunServices } from './qa-run.js';
import type { QaSpec } from './qa-spec.js';

/** One browser for the file, shared by the runs (as a batch shares one). */
let browser: BrowserPool;
let site: QaSite;
let dir = '';
let store: Store;

beforeAll(async () => {
  browser = await BrowserPool.launch({ contexts: 2, signal: AbortSignal.timeout(60_000) });
}, 90_000);
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-qa-run-'));
  store = openStore({ home: dir });
  site = await startChainSite(12);
});
afterEach(async () => {
  store.close();
  await site.close();
  rmSync(dir, { recursive: true, force: true });
});

function spec(extra: Partial<QaSpec> = {}): QaSpec {
  return qaSpecFor(site.origin, extra);
}

function services(bus?: EventBus): QaRunServices {
  return { store, pool: browser, ...(bus === undefined ? {} : { bus }) };
}

const paths = (urls: readonly { url: string }[]): string[] =>
  urls.map(({ url }) => url.slice(site.origin.length));

describe('a QA run in the store', () => {
  it('stops on abort as interrupted, then resumes: every page once, the budget exact', async () => {
    const controller = new AbortController();
    site.hold('/p/4');
    const first = startQaRun(spec(), services(), { signal: controller.signal });
    expect(store.runs.get(first.id)).toMatchObject({ kind: 'qa', status: 'running' });
    await site.requested('/p/4');
    controller.abort();
    const partial = await first.done;
    expect(partial.summary.status).toBe('interrupted');
    expect(paths(partial.pages)).toEqual(['/', '/p/1', '/p/2', '/p/3']);
    expect(store.runs.get(first.id)).toMatchObject({ status: 'interrupted' });
    const rows = store.qa.list(first.id);
    expect(rows.filter((row) => row.state === 'tested')).toHaveLength(4);
    // The page being tested when it stopped is still queued: the resumed crawl tests it.
    expect(rows.find((row) => row.url === `${site.origin}/p/4`)).toMatchObject({ state: 'queued', depth: 4 });

    site.release('/p/4');
    const hitsBefore = site.hits.length;
    const resumed = resumeQaRun(first.id, services());
    const report = await resumed.done;
    expect(report.run.id).toBe(first.id);
    expect(report.run.started_at).toBe(partial.run.started_at);
    expect(report.summary).toMatchObject({ status: 'passed', pages_tested: 8 });
    expect(paths(report.pages)).toEqual(['/', '/p/1', '/p/2', '/p/3', '/p/4', '/p/5', '/p/6', '/p/7']);
    // The resumed crawl asked only for what was not tested: /p/4 again (it never answered), then on.
    expect(site.hits.slice(hitsBefore)).toEqual(['/p/4', '/p/5', '/p/6', '/p/7']);
    expect(report.not_tested).toContainEqual({
      url: `${site.origin}/p/8`,
      reason: 'page budget spent (--max-pages 8)',
    });
    expect(store.runs.get(first.id)).toMatchObject({ status: 'succeeded', error: null });
  }, 60_000);

  it('announces each page on the bus after storing it, with the progress', async () => {
    const bus = new EventBus();
    const heard: SequencedEvent[] = [];
    bus.subscribe((event) => heard.push(event));
    const run = startQaRun(spec({ max_pages: 3 }), services(bus));
    await run.done;
    const types = heard.map((event) => event.type);
    expect(types[0]).toBe('run.status');
    expect(types.at(-1)).toBe('run.status');
    expect(types.filter((type) => type === 'qa.visit')).toHaveLength(3);
    const pages = heard.flatMap((event) => (event.type === 'qa.page' ? [event] : []));
    expect(
      pages.map((event) => [event.url.slice(site.origin.length), event.status, event.progress.pagesTested]),
    ).toEqual([
      ['/', 200, 1],
      ['/p/1', 200, 2],
      ['/p/2', 200, 3],
    ]);
    // What was heard is what the store holds, in the same order.
    expect(store.events.list(run.id).map((event) => event.seq)).toEqual(heard.map((event) => event.seq));
  }, 60_000);

  it('refuses to resume a finished run, an unknown one, and one another process crawls', async () => {
    const done = startQaRun(spec({ max_pages: 1 }), services());
    await done.done;
    expect(() => resumeQaRun(done.id, services())).toThrow(/only a stopped run resumes/);
    expect(() => resumeQaRun('qa_nope', services())).toThrow(
      expect.objectContaining({ code: 'E_RUN_NOT_FOUND' }),
    );

    site.hold('/');
    const controller = new AbortController();
    const running = startQaRun(spec(), services(), { signal: controller.signal });
    await site.requested('/');
    let busy: unknown;
    try {
      resumeQaRun(running.id, services());
    } catch (error) {
      busy = error;
    }
    expect(hasCode(busy, 'E_RUN_BUSY')).toBe(true);
    controller.abort();
    await running.done;
  }, 60_000);

  it('stores how a run got in by name only, and wants it given again to resume', async () => {
    const controller = new AbortController();
    site.hold('/p/2');
    const access = { pool: { headers: { 'X-Api-Key': 'sekrit-value-42' } } };
    const run = startQaRun(spec(), { ...services(), access }, { signal: controller.signal });
    await site.requested('/p/2');
    controller.abort();
    await run.done;
    site.release('/p/2');
    expect(store.runs.get(run.id)?.spec).toMatchObject({ access: { headers: ['X-Api-Key'] } });
    expect(JSON.stringify(store.runs.get(run.id))).not.toContain('sekrit');
    expect(() => resumeQaRun(run.id, services())).toThrow(
      `QA run ${run.id} used a saved session, headers or cookies, which is never stored: give --auth, --storage-state, --cookie or --header again`,
    );
    const report = await resumeQaRun(run.id, { ...services(), access }).done;
    expect(report.summary.pages_tested).toBe(8);
  }, 60_000);

  it('fails the run, resumably, when the browser cannot start', async () => {
    const broken: QaRunServices = { store, env: { FLOTILLA_CHROMIUM: join(dir, 'no-chromium') } };
    const run = startQaRun(spec(), broken);
    await expect(run.done).rejects.toThrow(expect.objectContaining({ code: 'E_NO_BROWSER' }));
    expect(store.runs.get(run.id)?.status).toBe('failed');
    expect(store.runs.get(run.id)?.error).toMatch(/FLOTILLA_CHROMIUM/);
    const report = await resumeQaRun(run.id, services()).done;
    expect(report.summary.pages_tested).toBe(8);
  }, 60_000);
});
