import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRuntime } from '../runtime/index.js';
import { createHarness, jsonRequest, type Harness } from './server.fixture.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-shell-http-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A workflow whose one shell step (inside a fan-out) marks that it ran. */
function markingWorkflow(marker: string): string {
  return `schema_version: 1
workflow: { id: marks }
steps:
  - id: each
    type: fan-out
    items: [a]
    step:
      id: mark
      type: shell
      run: [touch, "${marker}"]
`;
}

async function post(harness: Harness, path: string, body: unknown) {
  const response = await harness.app.request(path, jsonRequest('POST', body));
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('shell steps over HTTP', () => {
  it('are refused by default, naming the step and its line, and nothing runs or is stored', async () => {
    const harness = await createHarness({ allowShellSteps: false });
    const marker = join(dir, 'ran');
    const { status, json } = await post(harness, '/v1/runs', { workflow: markingWorkflow(marker) });
    expect(status).toBe(403);
    expect(json).toEqual({
      error: {
        code: 'E_SHELL_STEPS_OFF',
        field: 'workflow',
        message:
          '<inline>:8:7: step "mark" is a shell step, and shell steps are off over HTTP ' +
          '(the server allows them with server.allow_shell_steps: true in its configuration)',
      },
    });
    expect(harness.store.runs.list().items).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    // A workflow without them still runs.
    const gated = await post(harness, '/v1/runs', {
      workflow: 'schema_version: 1\nworkflow: { id: g }\nsteps: [{ id: ok, type: gate }]',
    });
    expect(gated.status).toBe(202);
  });

  it('refuses to resume a run with shell steps made elsewhere (a local `flotilla run` on the same home)', async () => {
    const harness = await createHarness({ allowShellSteps: false });
    const marker = join(dir, 'ran');
    const local = await openRuntime({ config: harness.config, start: ['workflows'] });
    let id: string;
    try {
      const definition = local.workflows.parse(
        markingWorkflow(marker).replace('run: [touch,', 'run: [sh, -c, "test -f $0 || exit 3",'),
      );
      const view = await local.workflows.run(definition).done;
      expect(view.status).toBe('failed');
      id = view.id;
    } finally {
      await local.close();
    }
    const resumed = await post(harness, `/v1/runs/${id}/resume`, {});
    expect(resumed).toMatchObject({ status: 403, json: { error: { code: 'E_SHELL_STEPS_OFF' } } });
    expect(harness.store.runs.get(id)?.status).toBe('failed');
  });

  it('count against the server’s concurrency when allowed: never more processes than it at once', async () => {
    const harness = await createHarness({ allowShellSteps: true, concurrency: 1, maxQueue: 0 });
    const started = join(dir, 'started');
    const gates = join(dir, 'gates');
    for (const folder of [started, gates]) mkdirSync(folder);
    // Each step records that it started, then waits until the test lets it finish.
    const workflow = (name: string) => `schema_version: 1
workflow: { id: ${name} }
steps:
  - id: hold
    type: shell
    run: [sh, -c, 'touch "$0/$2"; while [ ! -f "$1/$2" ]; do sleep 0.02; done', "${started}", "${gates}", ${name}]
`;
    const names = ['r0', 'r1', 'r2', 'r3', 'r4'];
    for (const name of names)
      expect((await post(harness, '/v1/runs', { workflow: workflow(name) })).status).toBe(202);
    const { processes } = harness.runtime;
    let peak = 0;
    for (let finished = 0; finished < names.length; finished++) {
      // The next process starts only once the one before has ended.
      await until(() => readdirSync(started).length === finished + 1);
      peak = Math.max(peak, processes.stats.active);
      expect(processes.stats).toMatchObject({ active: 1, queued: names.length - finished - 1 });
      const running = readdirSync(started).find((name) => !existsSync(join(gates, name)))!;
      writeFileSync(join(gates, running), '');
    }
    await until(() => processes.stats.active === 0);
    expect(peak).toBe(1);
    await until(() => harness.store.runs.list().items.every((run) => run.status === 'succeeded'));

    // Growing the server's concurrency live grows the bound of the processes too.
    const patched = await harness.app.request('/api/server-config', jsonRequest('PATCH', { concurrency: 3 }));
    expect(patched.status).toBe(200);
    expect(processes.stats.capacity).toBe(3);
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000; turn++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('timed out waiting');
}
