import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { tallyStep } from '../../test/fixtures/step-types/tally-step.js';
import { openRuntime } from '../runtime/index.js';
import { createHarness, matching, sseBlocks, type Harness, type SseBlock } from './server.fixture.js';
import { startServer, type RunningServer } from './start-server.js';
import type { SequencedEvent } from '../events/index.js';
import type { RunView } from '../workflow/index.js';

/** Shell steps and a fan-out whose items finish in reverse order (the last one first). */
const FAN_OUT = `schema_version: 1
workflow: { id: fan, name: Fan }
inputs:
  words: { type: array, default: [{ word: a, delay: 3 }, { word: b, delay: 2 }, { word: c, delay: 1 }] }
steps:
  - id: each
    type: fan-out
    items: "{{ inputs.words }}"
    max_concurrency: 3
    step:
      id: say
      type: shell
      run: [sh, -c, 'sleep "0.$0"; echo "word $1"', "{{ item.delay }}", "{{ item.word }}"]
  - id: done
    type: shell
    run: [echo, "{{ steps.each.output.counts.succeeded }} words"]
`;

const GATED = `schema_version: 1
workflow: { id: gated }
steps:
  - id: build
    type: shell
    run: [echo, built]
  - id: ship
    type: gate
    message: Ship it?
  - id: deploy
    type: shell
    run: [echo, deployed]
`;

let harness: Harness;
let server: RunningServer;
let url = '';
let dir = '';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-runs-routes-'));
  harness = await createHarness({ workflowsDir: dir });
  server = await harness.listen();
  url = server.url;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface ErrorJson {
  readonly error: { code: string; message: string; field?: string };
}

/** A JSON request to the server; the caller names what the answer holds. */
async function call<T = ErrorJson>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const response = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as T };
}

async function view(id: string): Promise<RunView> {
  const { status, json } = await call<RunView>('GET', `/v1/runs/${id}`);
  expect(status).toBe(200);
  return json;
}

/** The output of a step of a run, as the test knows it to be. */
function output<T>(run: RunView, step: string): T {
  return run.steps[step]!.output as T;
}

/** The event a stream message carries. */
function data(block: SseBlock | undefined): SequencedEvent {
  return JSON.parse(block!.data!) as SequencedEvent;
}

/** Every message of a run's event stream, until the server ends it (the run stopped). */
async function events(id: string, lastEventId?: string): Promise<SseBlock[]> {
  const response = await fetch(`${url}/v1/runs/${id}/events`, {
    headers: lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId },
  });
  expect(response.status).toBe(200);
  const blocks: SseBlock[] = [];
  for await (const block of sseBlocks(response)) if (block.comment === undefined) blocks.push(block);
  return blocks;
}

async function start(workflow: string, inputs?: Record<string, unknown>): Promise<string> {
  const { status, json } = await call<{ id: string }>('POST', '/v1/runs', {
    workflow,
    ...(inputs ? { inputs } : {}),
  });
  expect(status).toBe(202);
  expect(json).toEqual({ id: matching(/^run_/), status: 'running' });
  return json.id;
}

interface ItemResultJson {
  readonly id: string;
  readonly output: { readonly stdout: string };
}

describe('POST /v1/runs and GET /v1/runs/:id', () => {
  it('runs YAML text: results in item order, events replayed with their seq ids', async () => {
    const id = await start(FAN_OUT);
    const live = await events(id);
    expect(live.at(-1)).toMatchObject({ event: 'run.status' });
    expect(data(live.at(-1))).toMatchObject({ type: 'run.status', status: 'succeeded' });

    const run = await view(id);
    expect(run).toMatchObject({ id, kind: 'workflow', status: 'succeeded', workflow: { id: 'fan' } });
    const { records: results } = output<{ records: ItemResultJson[] }>(run, 'each');
    expect(results.map((result) => result.output.stdout)).toEqual(['word a', 'word b', 'word c']);
    expect(results.map((result) => result.id)).toEqual(['each:say:0', 'each:say:1', 'each:say:2']);
    expect(output<{ stdout: string }>(run, 'done').stdout).toBe('3 words');

    // The replay of a finished run: every stored event, ids are their seqs, items start and finish.
    const replay = await events(id);
    expect(replay).toEqual(live);
    const stored = replay.map(data);
    expect(replay.map((block) => Number(block.id))).toEqual(stored.map((event) => event.seq));
    const finished = stored.flatMap((event) =>
      event.type === 'item.status' && event.status === 'succeeded' ? [event.itemId] : [],
    );
    expect(finished.sort()).toEqual(['done', 'each', 'each:say:0', 'each:say:1', 'each:say:2']);
    expect(stored).toContainEqual(
      expect.objectContaining({ type: 'item.log', itemId: 'each:say:2', line: 'word c' }),
    );

    // After Last-Event-ID: only what came later.
    expect(await events(id, replay[3]!.id)).toEqual(replay.slice(4));
  });

  it('runs a workflow file given by path, with inputs', async () => {
    const file = join(dir, 'fan.yml');
    writeFileSync(file, FAN_OUT);
    const id = await start(file, { words: [{ word: 'x', delay: 1 }] });
    await events(id);
    const run = await view(id);
    expect(run).toMatchObject({
      status: 'succeeded',
      inputs: { words: [{ word: 'x' }] },
      workflow: { file },
    });
    expect(output<{ stdout: string }>(run, 'done').stdout).toBe('1 words');
  });

  it('refuses an invalid workflow with 400 naming its line and column, and creates nothing', async () => {
    const bad = FAN_OUT.replace('max_concurrency: 3', 'max_concurrency: "three"');
    const { status, json } = await call('POST', '/v1/runs', { workflow: bad });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({
      code: 'E_WORKFLOW_INVALID',
      field: 'workflow',
      message: matching('<inline>:9:22: steps[0] (each).max_concurrency'),
      issues: [{ line: 9, column: 22, path: 'steps[0].max_concurrency' }],
    });

    const input = await call('POST', '/v1/runs', { workflow: FAN_OUT, inputs: { words: 'abc' } });
    expect(input.status).toBe(400);
    expect(input.json.error).toMatchObject({ code: 'E_WORKFLOW_INPUT', field: 'inputs.words' });

    const missing = await call('POST', '/v1/runs', { workflow: join(dir, 'nowhere.yml') });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: 'E_INVALID_REQUEST', field: 'workflow' });

    const unknown = await call('POST', '/v1/runs', { workflow: FAN_OUT, input: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ message: matching('unknown field(s): input') });

    expect((await call<{ items: unknown[] }>('GET', '/v1/runs')).json.items).toEqual([]);
  });

  it('answers 404 for a run that is not there', async () => {
    for (const [method, path] of [
      ['GET', '/v1/runs/run_nope'],
      ['GET', '/v1/runs/run_nope/events'],
      ['DELETE', '/v1/runs/run_nope'],
      ['POST', '/v1/runs/run_nope/resume'],
      ['POST', '/v1/runs/run_nope/approve'],
    ] as const) {
      const { status, json } = await call(method, path);
      expect({ method, path, status }).toEqual({ method, path, status: 404 });
      expect(json.error.message).toContain('run_nope');
    }
  });
});

describe('gates, resume and cancel', () => {
  it('pauses at a gate; approve records the decision and resumes to the end', async () => {
    const id = await start(GATED);
    const first = await events(id);
    expect(data(first.at(-1))).toMatchObject({ type: 'run.status', status: 'paused' });
    const paused = await view(id);
    expect(paused).toMatchObject({
      status: 'paused',
      waiting: [{ item_id: 'ship', step_id: 'ship', message: 'Ship it?' }],
    });
    expect(paused.steps.deploy).toBeUndefined();

    const approved = await call('POST', `/v1/runs/${id}/approve`, { comment: 'lgtm' });
    expect(approved).toEqual({ status: 202, json: { id, status: 'running', gate: 'ship', approved: true } });
    const after = Number(first.at(-1)!.id);
    const rest = await events(id, String(after));
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((block) => Number(block.id) > after)).toBe(true);
    expect(data(rest.at(-1))).toMatchObject({ status: 'succeeded' });
    const done = await view(id);
    expect(output(done, 'ship')).toMatchObject({ approved: true, by: 'api', comment: 'lgtm' });
    expect(done.steps.build!.attempts).toBe(1);
    expect(output<{ stdout: string }>(done, 'deploy').stdout).toBe('deployed');

    // A finished run waits for nothing and does not resume: a state conflict, 409.
    expect((await call('POST', `/v1/runs/${id}/approve`, {})).status).toBe(409);
    const resumed = await call('POST', `/v1/runs/${id}/resume`);
    expect(resumed).toMatchObject({ status: 409, json: { error: { code: 'E_RUN_NOT_RESUMABLE' } } });
  });

  it('a rejection fails the run; resume of a paused run asks again; cancel ends it', async () => {
    const rejected = await start(GATED);
    await events(rejected);
    const decision = { approved: false, by: 'ops' };
    expect((await call('POST', `/v1/runs/${rejected}/approve`, decision)).status).toBe(202);
    await events(rejected);
    expect(await view(rejected)).toMatchObject({ status: 'failed', error: matching('rejected by ops') });

    const id = await start(GATED);
    await events(id);
    expect((await call('POST', `/v1/runs/${id}/resume`)).status).toBe(202);
    await events(id);
    expect((await view(id)).status).toBe('paused');
    const cancelled = await call('DELETE', `/v1/runs/${id}`);
    expect(cancelled).toMatchObject({ status: 200, json: { id, status: 'cancelled' } });

    const list = await call('GET', '/v1/runs?status=cancelled');
    expect(list.json).toEqual({
      items: [expect.objectContaining({ id, status: 'cancelled' })],
      next_cursor: null,
    });
    const page = await call<{ next_cursor: string | null }>('GET', '/v1/runs?limit=1');
    expect(page.json.next_cursor).toEqual(expect.any(String));
    expect((await call('GET', '/v1/runs?status=done')).json.error).toMatchObject({ field: 'status' });
  });
});

const CHOOSE = `schema_version: "1.0"
workflow: { id: choose }
inputs:
  target: { type: string, default: staging }
  replicas: { type: number, default: 1 }
steps:
  - id: review
    type: gate
    message: Ship it?
    options: [approve, revise, reject]
  - id: deploy
    type: shell
    run: [echo, "{{ inputs.target }} x{{ inputs.replicas }}"]
`;

describe('gate choices and resume with inputs', () => {
  it("approve takes one of the gate's options; any other is 400 and the run still waits", async () => {
    const id = await start(CHOOSE);
    await events(id);
    const wrong = await call('POST', `/v1/runs/${id}/approve`, { choice: 'maybe' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.message).toContain('maybe');
    expect(wrong.json.error.message).toContain('approve, revise, reject');
    expect(await view(id)).toMatchObject({ status: 'paused', waiting: [{ item_id: 'review' }] });

    const chosen = await call('POST', `/v1/runs/${id}/approve`, { choice: 'revise' });
    expect(chosen).toEqual({ status: 202, json: { id, status: 'running', gate: 'review', approved: true } });
    await events(id);
    const done = await view(id);
    expect(done.status).toBe('succeeded');
    expect(output(done, 'review')).toMatchObject({ approved: true, choice: 'revise', by: 'api' });

    const other = await start(CHOOSE);
    await events(other);
    expect((await call('POST', `/v1/runs/${other}/approve`, { choice: 'reject' })).json).toMatchObject({
      approved: false,
    });
    await events(other);
    expect(await view(other)).toMatchObject({ status: 'failed' });
  });

  it('resume {inputs} merges them over the stored ones, checked first: a bad one is 400 and changes nothing', async () => {
    const id = await start(CHOOSE, { target: 'staging' });
    await events(id);
    const bad = await call('POST', `/v1/runs/${id}/resume`, { inputs: { replicas: 'many' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('replicas');
    expect((await view(id)).inputs).toEqual({ target: 'staging', replicas: 1 });
    const shape = await call('POST', `/v1/runs/${id}/resume`, { inputs: ['prod'] });
    expect(shape.json.error).toMatchObject({ field: 'inputs' });

    expect((await call('POST', `/v1/runs/${id}/resume`, { inputs: { target: 'prod' } })).status).toBe(202);
    await events(id);
    expect(await view(id)).toMatchObject({ status: 'paused', inputs: { target: 'prod', replicas: 1 } });
    expect((await call('POST', `/v1/runs/${id}/approve`, {})).status).toBe(202);
    await events(id);
    expect(output<{ stdout: string }>(await view(id), 'deploy').stdout).toBe('prod x1');
  });
});

describe('the server and its engine', () => {
  it('runs agent steps as jobs of the server’s own queue', async () => {
    const id = await start(`schema_version: 1
workflow: { id: agents }
steps:
  - id: ask
    type: agent
    agent: echo
    repo: app
    prompt: "say {{ 'hi' }}"
`);
    await events(id);
    const run = await view(id);
    expect(run.status).toBe('succeeded');
    const { job_id: jobId, output: reply } = output<{ job_id: string; output: string }>(run, 'ask');
    expect(reply).toContain('say hi');
    const job = await call<{ status: string; prompt: string }>('GET', `/v1/jobs/${jobId}`);
    expect(job).toMatchObject({ status: 200, json: { status: 'succeeded', prompt: 'say hi' } });
  });

  it('runs a step type the runtime registered beside the built-in ones, inside a fan-out', async () => {
    const withPlugin = await createHarness({ stepTypes: [tallyStep] });
    url = (await withPlugin.listen()).url;
    const id = await start(`schema_version: 1
workflow: { id: plugin }
steps:
  - id: each
    type: fan-out
    items: [x, yy]
    step: { id: count, type: tally, label: "{{ item }}" }
`);
    await events(id);
    const run = await view(id);
    expect(run.status).toBe('succeeded');
    const { records: results } = output<{ records: { output: unknown }[] }>(run, 'each');
    expect(results.map((result) => result.output)).toEqual([
      { label: 'x', total: 2, capacity: 2 },
      { label: 'yy', total: 3, capacity: 2 },
    ]);
  });

  it('closing the runtime after the server stops its runs: they become interrupted, and another server resumes them', async () => {
    const marker = join(dir, 'go');
    // Another process's server on the same home, as after a restart: a runtime of its own.
    const other = await openRuntime({ config: harness.config, start: ['workflows'] });
    onTestFinished(() => other.close());
    const second = await startServer({ host: '127.0.0.1', port: 0, runtime: other, maxBodyBytes: 1 << 20 });
    onTestFinished(() => second.close());
    const id = await start(`schema_version: 1
workflow: { id: slow }
steps:
  - id: once
    type: shell
    run: [sh, -c, 'echo x >> "$0"', "${join(dir, 'count')}"]
  - id: wait
    type: shell
    run: [sh, -c, 'echo waiting; test -f "$0" || sleep 30', "${marker}"]
`);
    // The second step is running once its first line is stored.
    for await (const block of sseBlocks(await fetch(`${url}/v1/runs/${id}/events`))) {
      const event = block.data === undefined ? undefined : data(block);
      if (event?.type === 'item.log' && event.line === 'waiting') break;
    }
    // What `flotilla serve` does on SIGTERM: the server, then the runtime.
    await server.close();
    await harness.runtime.close();
    url = second.url;
    expect(await view(id)).toMatchObject({ status: 'interrupted' });
    writeFileSync(marker, '');
    expect((await call('POST', `/v1/runs/${id}/resume`)).status).toBe(202);
    await events(id);
    const run = await view(id);
    expect(run).toMatchObject({
      status: 'succeeded',
      steps: { once: { attempts: 1 }, wait: { attempts: 2 } },
    });
    expect(readFileSync(join(dir, 'count'), 'utf8')).toBe('x\n');
  });
});
