import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { processesWithEnvironment } from '../../exec/index.js';
import { openStore, type Store } from '../../store/index.js';
import { parseWorkflow } from '../format/index.js';
import { BUILTIN_STEP_TYPES } from '../steps/index.js';
import { WorkflowEngine } from './workflow-engine.js';

let dir: string;
let store: Store;
let engine: WorkflowEngine;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-wf-procs-'));
  store = openStore({ home: join(dir, 'home') });
  engine = new WorkflowEngine({ stepTypes: BUILTIN_STEP_TYPES, store, heartbeatMs: 60_000 });
  await engine.start();
});
afterEach(async () => {
  await engine.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let turn = 0; turn < 2000; turn++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('a halt kills the process trees of the items after the failing one and lets the earlier ones finish', async () => {
  // Item 0 and item 1 wait for their own file; item 2 leaves a background grandchild and sleeps.
  const definition = parseWorkflow(
    `schema_version: 1
workflow: { id: halt-kill }
inputs:
  dir: { type: string }
steps:
  - id: each
    type: fan-out
    items: [0, 1, 2]
    max_concurrency: 3
    step:
      id: work
      type: shell
      run: >-
        if [ {{ item }} = 2 ]; then sleep 300 & sleep 300; fi;
        while [ ! -f {{ inputs.dir }}/go{{ item }} ]; do sleep 0.02; done;
        exit {{ item }}
`,
    { stepSchemas: engine.stepSchemas },
  );
  const run = engine.run(definition, { dir }, { baseDir: dir });
  const marker = (index: number) => ({ FLOTILLA_RUN_ID: run.id, FLOTILLA_ITEM_ID: `each:work:${index}` });
  const status = (index: number) => store.items.get(run.id, `each:work:${index}`)?.status;
  await until(
    async () => (await processesWithEnvironment(marker(2))).length >= 3,
    'item 2 and its grandchildren',
  );

  writeFileSync(join(dir, 'go1'), ''); // item 1 exits 1: the fan-out halts
  await until(() => status(2) === 'cancelled', 'item 2 cancelled');
  expect(await processesWithEnvironment(marker(2))).toEqual([]);
  expect(status(0)).toBe('running'); // before the failure: it may finish

  writeFileSync(join(dir, 'go0'), '');
  const view = await run.done;
  expect(view.status).toBe('failed');
  const output = view.steps['each']!.output as { records: { status: string }[]; counts: { skipped: number } };
  expect(output.records.map((result) => result.status)).toEqual(['succeeded', 'failed']);
  expect(output.counts.skipped).toBe(1);
  expect(await processesWithEnvironment({ FLOTILLA_RUN_ID: run.id })).toEqual([]);
});

it('an item timeout kills its tree and is recorded as timed_out', async () => {
  const definition = parseWorkflow(
    `schema_version: 1
workflow: { id: item-timeout }
steps:
  - id: each
    type: fan-out
    items: [a]
    max_concurrency: 1
    timeout_s: 0.3
    step: { id: work, type: shell, run: "sleep 300 & sleep 300" }
`,
    { stepSchemas: engine.stepSchemas },
  );
  const view = await engine.run(definition, {}, { baseDir: dir }).done;
  expect(view.status).toBe('failed');
  expect(store.items.get(view.id, 'each:work:0')).toMatchObject({ status: 'timed_out' });
  expect(view.error).toContain('timed out');
  expect(await processesWithEnvironment({ FLOTILLA_RUN_ID: view.id })).toEqual([]);
});

it('a timeout longer than a timer can wait is no limit, for a shell step and for a fan-out item', async () => {
  const definition = engine.parse(`schema_version: 1
workflow: { id: long-timeouts }
steps:
  - id: each
    type: fan-out
    items: [a]
    timeout_s: 3000000
    step: { id: work, type: shell, run: [echo, "{{ item }}"], timeout_s: 3000000 }
`);
  const view = await engine.run(definition, {}, { baseDir: dir }).done;
  expect(view.status).toBe('succeeded');
  expect(store.items.get(view.id, 'each:work:0')).toMatchObject({ status: 'succeeded', error: null });
});

it('a timeout of a fraction of a millisecond still times out, for a shell step and for a fan-out item', async () => {
  const definition = engine.parse(`schema_version: 1
workflow: { id: tiny-timeouts }
steps:
  - { id: alone, type: shell, run: [sleep, "5"], timeout_s: 0.0004 }
`);
  const view = await engine.run(definition, {}, { baseDir: dir }).done;
  expect(store.items.get(view.id, 'alone')).toMatchObject({ status: 'timed_out' });
  const fanOut = engine.parse(`schema_version: 1
workflow: { id: tiny-item-timeouts }
steps:
  - id: each
    type: fan-out
    items: [a]
    timeout_s: 0.0004
    step: { id: work, type: shell, run: [sleep, "5"] }
`);
  const items = await engine.run(fanOut, {}, { baseDir: dir }).done;
  expect(store.items.get(items.id, 'each:work:0')).toMatchObject({ status: 'timed_out' });
});
