import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tallyStep, type TallyOutput } from '../../test/fixtures/step-types/tally-step.js';
import { loadConfig, type ResolvedConfig } from '../config/index.js';
import type { FlotillaEvent } from '../events/index.js';
import type { ItemResult } from '../workflow/index.js';
import { openRuntime, type Runtime } from './runtime.js';

/** A workflow of the fixture step type: once per item of a fan-out, and in an `if` branch. */
const TALLY = `schema_version: 1
workflow: { id: tallies }
steps:
  - id: each
    type: fan-out
    items: [a, bb, ccc]
    max_concurrency: 2
    step:
      id: count
      type: tally
      label: "{{ item }}"
      add: 10
  - id: check
    type: if
    condition: "{{ steps.each.output.counts.succeeded == 3 }}"
    then:
      - { id: last, type: tally, label: done }
`;

let dir = '';
let config: ResolvedConfig;
const opened: Runtime[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-runtime-'));
  config = loadConfig({ cwd: dir, env: {}, flags: { home: join(dir, 'home'), concurrency: 3 } });
});
afterEach(async () => {
  for (const runtime of opened.splice(0)) await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(options: Omit<Parameters<typeof openRuntime>[0], 'config'> = {}): Promise<Runtime> {
  const runtime = await openRuntime({ config, heartbeatMs: 60_000, ...options });
  opened.push(runtime);
  return runtime;
}

describe('openRuntime', () => {
  it('runs a step type registered from outside the workflow engine, nested in a fan-out and an if', async () => {
    const runtime = await open({ stepTypes: [tallyStep], start: ['workflows'] });
    const events: FlotillaEvent[] = [];
    runtime.bus.subscribe((event) => events.push(event));
    const definition = runtime.workflows.parse(TALLY);
    // The type asks for the job scheduler: the workflow needs it started, though no agent step is in it.
    const needs = runtime.workflows.needs(definition);
    expect([...needs]).toEqual(['jobs']);
    await runtime.start(needs);
    expect(runtime.jobs.state).toBe('started');

    const view = await runtime.workflows.run(definition).done;
    expect(view.status).toBe('succeeded');
    const results = (view.steps['each']?.output as { records: ItemResult[] }).records;
    expect(results.map(({ id, output }) => [id, output])).toEqual([
      ['each:count:0', { label: 'a', total: 11, capacity: 3 } satisfies TallyOutput],
      ['each:count:1', { label: 'bb', total: 12, capacity: 3 } satisfies TallyOutput],
      ['each:count:2', { label: 'ccc', total: 13, capacity: 3 } satisfies TallyOutput],
    ]);
    expect(view.steps['check']?.output).toEqual({
      branch: 'then',
      outputs: { last: { label: 'done', total: 5, capacity: 3 } },
    });
    // The run lists its steps in file order, the nested ones found through the registry's schemas.
    expect(Object.keys(view.steps)).toEqual(['each', 'check', 'last']);
    expect(runtime.store.runs.get(view.id)?.spec).toMatchObject({
      stepOrder: ['each', 'count', 'check', 'last'],
    });
    const lines = events.flatMap((event) =>
      event.type === 'item.log' ? [`${event.itemId} ${event.line}`] : [],
    );
    expect(lines.sort()).toEqual([
      'each:count:0 tally a',
      'each:count:1 tally bb',
      'each:count:2 tally ccc',
      'last tally done',
    ]);
  });

  it('loads only the step types it registered: without the fixture, the file names the unknown type', async () => {
    const runtime = await open();
    expect(() => runtime.workflows.parse(TALLY)).toThrow(
      /<inline>:10:13: steps\[0\]\.step \(count\)\.type: unknown step type "tally" \(expected one of: shell, agent, command, prompt, fan-out, fan-in, if, switch, while, do-while, gate, init, suites, qa, plan\)/,
    );
  });

  it('starts each service once, whichever way it is asked for', async () => {
    const runtime = await open({ start: ['workflows'] });
    expect([runtime.workflows.state, runtime.jobs.state]).toEqual(['started', 'idle']);
    await runtime.start(['jobs', 'workflows']);
    await runtime.start(['jobs']);
    expect([runtime.workflows.state, runtime.jobs.state]).toEqual(['started', 'started']);
  });

  it('closes the engine, then the jobs, then the store; a second close waits for the same one', async () => {
    const runtime = await open({ start: ['jobs', 'workflows'] });
    const first = runtime.close();
    const second = runtime.close();
    await Promise.all([first, second]);
    expect([runtime.workflows.state, runtime.jobs.state]).toEqual(['stopped', 'stopped']);
    expect(() => runtime.store.runs.list()).toThrow(/not open|closed/i);
  });

  it('refuses a second job service on the same home and closes what it opened', async () => {
    const first = await open({ start: ['jobs'] });
    await expect(openRuntime({ config, start: ['jobs'] })).rejects.toMatchObject({ code: 'E_HOME_BUSY' });
    // The home's workflows are not held by the first process: another runtime may drive runs there.
    const other = await open({ start: ['workflows'] });
    const echo = other.workflows.parse(
      'schema_version: 1\nworkflow: { id: e }\nsteps: [{ id: a, type: shell, run: [echo, a] }]',
    );
    expect((await other.workflows.run(echo).done).status).toBe('succeeded');
    // Its job service may start once the home is free, though it was refused before.
    await expect(other.start(['jobs'])).rejects.toMatchObject({ code: 'E_HOME_BUSY' });
    await first.close();
    await other.start(['jobs']);
    expect(other.jobs.state).toBe('started');
  });
});
