import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { initRepository } from '../../../test/helpers/git.js';
import { loadConfig } from '../../config/index.js';
import { openRuntime, type Runtime } from '../../runtime/index.js';
import { parseWorkflow } from '../format/index.js';
import type { WorkflowEngine } from '../engine/index.js';

let dir: string;
let runtime: Runtime;
let engine: WorkflowEngine;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-wf-agent-'));
  const source = join(dir, 'source');
  initRepository(source, { 'README.md': '# app\n' });
  const home = join(dir, 'home');
  const base = loadConfig({ cwd: dir, env: {}, flags: { home, concurrency: 2, maxQueue: 1 } });
  const config = {
    ...base,
    agents: {
      // Writes its prompt into a file named after it: each job changes its own checkout.
      writer: { type: 'cli' as const, command: ['sh', '-c', 'echo "$1" > "$1.txt"', 'sh', '{prompt}'] },
      broken: { type: 'cli' as const, command: ['sh', '-c', 'echo nope >&2; exit 4'] },
    },
    repos: { app: { path: source } },
  };
  runtime = await openRuntime({ config, start: ['jobs', 'workflows'], heartbeatMs: 60_000 });
  engine = runtime.workflows;
});

afterEach(async () => {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

it('runs agent steps as jobs of the job service, each in its own checkout, waiting out a full queue', async () => {
  // Five agents through a service of concurrency 2 and a queue of 1: the steps wait for room, never fail.
  const definition = parseWorkflow(
    `schema_version: 1
workflow: { id: agents }
steps:
  - id: each
    type: fan-out
    items: [alpha, beta, gamma, delta, epsilon]
    max_concurrency: 5
    step: { id: write, type: agent, agent: writer, repo: app, prompt: "{{ item }}" }
`,
    { stepSchemas: engine.stepSchemas },
  );
  const view = await engine.run(definition).done;
  expect(view.status, view.error ?? '').toBe('succeeded');
  const output = view.steps['each']!.output as {
    records: { output: { job_id: string; changed_files: string[]; diff: string; branch: string } }[];
  };
  expect(output.records.map((result) => result.output.changed_files)).toEqual(
    ['alpha', 'beta', 'gamma', 'delta', 'epsilon'].map((name) => [`${name}.txt`]),
  );
  for (const result of output.records) {
    expect(result.output.branch).toBe(`flotilla/${result.output.job_id}`);
    expect(result.output.diff).toContain(`+${result.output.changed_files[0]!.replace('.txt', '')}`);
  }
  expect(new Set(output.records.map((result) => result.output.job_id)).size).toBe(5);
});

it('fails the step when its job fails, with the job in the output', async () => {
  const definition = parseWorkflow(
    `schema_version: 1
workflow: { id: broken-agent }
steps:
  - { id: try, type: agent, agent: broken, prompt: anything }
`,
    { stepSchemas: engine.stepSchemas },
  );
  const view = await engine.run(definition).done;
  expect(view.status).toBe('failed');
  expect(view.steps['try']).toMatchObject({ status: 'failed', output: { status: 'failed', exit_code: 4 } });
  expect(view.error).toMatch(/^try: job job_\w+ failed/);
});
