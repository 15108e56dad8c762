import { qaSpecFor } from '../../test/fixtures/qa-site.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus, nowIso, type FlotillaEvent } from '../events/index.js';
import { newLeaseOwner, openStore, runLeaseName, type Store } from '../store/index.js';
import { QaRunner } from './qa-runner.js';
import type { QaSpec } from './qa-spec.js';

let dir = '';
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-qa-runner-'));
  store = openStore({ home: dir });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const SPEC: QaSpec = qaSpecFor('http://127.0.0.1:9', { max_pages: 1, max_depth: 0 });

/** A QA run left `running`, its lease held by `owner` for `ttlMs` (none without an owner). */
function leftRunning(id: string, owner?: string, ttlMs = 60_000): void {
  store.runs.insert({ id, kind: 'qa', name: SPEC.urls[0]!, spec: SPEC, startedAt: nowIso() });
  if (owner !== undefined) store.leases.acquire(runLeaseName(id), { owner, ttlMs });
}

describe('QaRunner', () => {
  it('marks interrupted the QA runs a dead process left running, and leaves live ones and workflows alone', async () => {
    leftRunning('qa_dead', `${hostname()}:2147483646:gone`); // a pid this host does not have
    leftRunning('qa_unleased');
    leftRunning('qa_expired', 'elsewhere:1:x', 0);
    leftRunning('qa_live', newLeaseOwner()); // this process: alive
    leftRunning('qa_other_host', 'elsewhere:1:y'); // another host's, not expired: it may be alive
    store.runs.insert({ id: 'run_workflow', kind: 'workflow', startedAt: nowIso() });
    const bus = new EventBus();
    const heard: FlotillaEvent[] = [];
    bus.subscribe((event) => heard.push(event));
    const runner = new QaRunner({ store, bus, maxRuns: 1, rateLimit: 0 });

    runner.startSweep();
    const statuses = Object.fromEntries(store.runs.list().items.map((run) => [run.id, run.status]));
    expect(statuses).toEqual({
      qa_dead: 'interrupted',
      qa_unleased: 'interrupted',
      qa_expired: 'interrupted',
      qa_live: 'running',
      qa_other_host: 'running',
      run_workflow: 'running',
    });
    expect(runner.view('qa_dead')).toMatchObject({
      status: 'interrupted',
      error: `the process crawling it (${hostname()}:2147483646:gone) is gone`,
    });
    expect(store.leases.get(runLeaseName('qa_dead'))).toBeUndefined();
    const announced = heard.map((event) => event.type === 'run.status' && `${event.runId} ${event.status}`);
    expect(announced.sort()).toEqual([
      'qa_dead interrupted',
      'qa_expired interrupted',
      'qa_unleased interrupted',
    ]);
    // Stored before announced: what the bus said is in the store.
    expect(store.events.list('qa_dead', { afterSeq: 0 }).map((event) => event.type)).toEqual(['run.status']);

    await runner.stop();
    expect(() => runner.start(SPEC)).toThrow(expect.objectContaining({ code: 'E_STATE' }));
    expect(() => runner.startSweep()).toThrow(expect.objectContaining({ code: 'E_STATE' }));
  });

  it('cancels for good a run another process crawls or left interrupted, not a finished one', async () => {
    leftRunning('qa_elsewhere', 'elsewhere:1:z');
    leftRunning('qa_stopped');
    store.runs.update('qa_stopped', { status: 'interrupted' });
    leftRunning('qa_done');
    store.runs.update('qa_done', { status: 'succeeded' });
    const runner = new QaRunner({ store, maxRuns: 1, rateLimit: 0 });
    expect(await runner.cancel('qa_elsewhere')).toMatchObject({ status: 'cancelled' });
    expect(await runner.cancel('qa_stopped')).toMatchObject({ status: 'cancelled' });
    expect(await runner.cancel('qa_done')).toMatchObject({ status: 'succeeded' });
    expect(await runner.cancel('qa_none')).toBeUndefined();
    expect(() => runner.resume('qa_stopped')).toThrow(
      expect.objectContaining({ code: 'E_RUN_NOT_RESUMABLE' }),
    );
    await runner.stop();
  });
});
