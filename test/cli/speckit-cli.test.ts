import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/workflow/index.js';
import { runCli, startCli } from '../helpers/cli.js';

/*
 * spec-kit's own workflow files (copies of their shape in test/fixtures/speckit/), run through the spawned
 * CLI as a spec-kit user would: agent profiles named after spec-kit's integrations stand in for them, and
 * a stand-in agent logs every prompt it gets and when it starts and ends.
 */

const CLI_TEST_TIMEOUT_MS = 180_000;
const FIXTURES = fileURLToPath(new URL('../fixtures/speckit/', import.meta.url));
const AGENT = join(FIXTURES, 'agent.mjs');

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-speckit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const log = () => join(dir, 'agent.log');
const release = () => join(dir, 'release');

/** A configuration whose agent profiles are `names`, each the stand-in agent. */
function configure(names: readonly string[], options: { wait?: boolean; fail?: string } = {}): void {
  const command = (name: string) =>
    `  ${name}:\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(AGENT)}, ${JSON.stringify(log())}, ${JSON.stringify(options.wait === true ? release() : '-')}, ${JSON.stringify(options.fail ?? '-')}, '{prompt}']\n`;
  writeFileSync(
    join(dir, 'flotilla.config.yaml'),
    `agents:\n${names.map(command).join('')}server:\n  concurrency: 8\n`,
  );
}

function flotilla(...args: string[]) {
  return runCli([...args, '--home', join(dir, 'home'), '--json'], { cwd: dir });
}

/** What the stand-in agent logged, in order. */
function events(): { event: 'start' | 'end'; prompt: string }[] {
  if (!existsSync(log())) return [];
  return readFileSync(log(), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: 'start' | 'end'; prompt: string });
}

const prompts = () => events().flatMap(({ event, prompt }) => (event === 'start' ? [prompt] : []));

/** The most agents running at once, from the order of their start and end lines. */
function peak(): number {
  let running = 0;
  let most = 0;
  for (const { event } of events()) {
    running += event === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

function view(stdout: string): RunView {
  return JSON.parse(stdout) as RunView;
}

describe('spec-kit workflow files, unchanged', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('speckit: runs to its first gate, approve runs to the next, reject aborts the run', async () => {
    configure(['copilot']);
    const file = join(FIXTURES, 'speckit.yml');
    const first = await flotilla('run', file, '--input', 'feature_name=kanban board');
    expect(first.code, first.stderr).toBe(0);
    const paused = view(first.stdout);
    expect(paused.status).toBe('paused');
    expect(paused.waiting).toMatchObject([{ item_id: 'review-spec' }]);
    expect(prompts()).toEqual(['/speckit.specify kanban board']);
    expect(paused.steps['specify']!.output).toMatchObject({
      command: 'speckit.specify',
      integration: 'copilot',
      exit_code: 0,
      stdout: expect.stringContaining('done with /speckit.specify kanban board') as unknown,
    });

    const second = view((await flotilla('runs', 'approve', paused.id)).stdout);
    expect(second.waiting).toMatchObject([{ item_id: 'review-plan' }]);
    expect(prompts()).toEqual(['/speckit.specify kanban board', '/speckit.plan kanban board']);

    const rejected = await flotilla('runs', 'approve', paused.id, '--reject');
    expect(rejected.code).toBe(1);
    const ended = view(rejected.stdout);
    expect(ended.status).toBe('failed');
    expect(ended.steps['review-plan']!.output).toMatchObject({
      approved: false,
      choice: 'reject',
      aborted: true,
    });
    expect(prompts()).toHaveLength(2);
  });

  it('orchestrated-implement: its own splitter is refused at load, naming what to write instead', async () => {
    configure(['copilot']);
    const { code, stderr } = await flotilla('run', join(FIXTURES, 'orchestrated-implement.yml'));
    expect(code).toBe(2);
    expect(stderr).toContain(
      'orchestrated-implement.yml:31:11: steps[0] (build-shards).type: speckit-task-shards',
    );
    expect(stderr).toContain('write a shell step that prints the shards as JSON');
  });

  it('orchestrated-implement: max_concurrency "{{ inputs.max_shards }}" really runs that many shards at once', async () => {
    configure(['copilot'], { wait: true });
    const running = startCli(
      [
        'run',
        join(FIXTURES, 'orchestrated-implement-shell.yml'),
        '--input',
        'max_shards=3',
        '--home',
        join(dir, 'home'),
        '--json',
      ],
      { cwd: dir },
    );
    // The test decides when the shards end: once three run, none more starts until they are released.
    while (prompts().length < 3) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(prompts()).toHaveLength(3);
    writeFileSync(release(), '');
    const { code, stdout, stderr } = await running.done;
    expect(code, stderr).toBe(0);
    expect(peak()).toBe(3);
    expect(prompts()).toHaveLength(5);
    const output = view(stdout).steps['implement-shards']!.output as {
      results: { stdout: string; command: string }[];
      records: { status: string }[];
      item_count: number;
      max_concurrency: number;
    };
    // What a spec-kit file reads (`results[1].stdout`, `item_count`), beside Flotilla's records.
    expect(output.item_count).toBe(5);
    expect(output.max_concurrency).toBe(3);
    expect(output.results[1]!.stdout).toContain('/speckit.implement Execute only task IDs: T002.');
    expect(output.records.map((record) => record.status)).toEqual(Array(5).fill('succeeded'));
  });

  it('pipeline: integration auto, skipped phases, continue_on_error and a while loop bounded at 3', async () => {
    configure(['claude'], { fail: 'speckit.converge' });
    const { code, stdout, stderr } = await flotilla(
      'run',
      join(FIXTURES, 'pipeline.yml'),
      '--input',
      'spec=todo app',
      '--input',
      'skip_clarify=true',
    );
    expect(code, stderr).toBe(0);
    const run = view(stdout);
    expect(run.status).toBe('succeeded');
    const loop = [
      '/speckit.implement Complete the appended convergence tasks for todo app',
      '/speckit.converge todo app',
    ];
    expect(prompts()).toEqual([
      '/speckit.specify todo app',
      '/speckit.plan todo app',
      '/speckit.tasks todo app',
      '/speckit.analyze todo app',
      '/speckit.implement todo app',
      '/speckit.converge todo app',
      ...loop,
      ...loop,
      ...loop,
    ]);
    expect(run.steps['converge-first']).toMatchObject({ status: 'failed', output: { exit_code: 3 } });
    expect(run.steps['converge-loop']!.output).toMatchObject({
      loop_type: 'while',
      iterations: 3,
      exhausted: true,
      outputs: { 'converge-again': { exit_code: 3, integration: 'claude' } },
    });
  });

  it('ai-team-sdd: init behind an if, a revise choice loops the do-while once more, then it runs to the end', async () => {
    configure(['codex']);
    const file = join(FIXTURES, 'ai-team-sdd.yml');
    const first = view((await flotilla('run', file, '--input', 'request=add login')).stdout);
    expect(first.waiting).toMatchObject([{ item_id: 'review-context' }]);
    expect(prompts()[1]).toBe(
      `/speckit.ai-team.context add login task_id= resume_from=auto workflow_run_id=${first.id}`,
    );
    const atPlan = view((await flotilla('runs', 'approve', first.id)).stdout);
    expect(atPlan.waiting).toMatchObject([{ item_id: 'plan-cycle:1:review-plan' }]);
    const revised = view((await flotilla('runs', 'approve', first.id, '--choice', 'revise')).stdout);
    expect(revised.waiting).toMatchObject([{ item_id: 'plan-cycle:2:review-plan' }]);
    const done = await flotilla('runs', 'approve', first.id);
    expect(done.code, done.stderr).toBe(0);
    expect(view(done.stdout).status).toBe('succeeded');
    expect(prompts().filter((prompt) => prompt.startsWith('/speckit.plan '))).toEqual([
      '/speckit.plan add login task_id=',
      '/speckit.plan task_id= Revise plan.md only.',
    ]);
    expect(prompts().at(-1)).toBe('/speckit.implement add login task_id=');
  });

  it('ai-team-bugfix: required inputs without a terminal are an error; given, it runs to its first gate', async () => {
    configure(['codex']);
    const file = join(FIXTURES, 'ai-team-bugfix.yml');
    const missing = await flotilla('run', file, '--input', 'request=crash on save');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing required input "task_id"');
    const { code, stdout } = await flotilla(
      'run',
      file,
      '--input',
      'request=crash on save',
      '--input',
      'task_id=BUG-1',
      '--input',
      'bug_slug=bug-1',
    );
    expect(code).toBe(0);
    expect(view(stdout).waiting).toMatchObject([{ item_id: 'review-context' }]);
  });

  it('a requires.integrations none of whose names is a profile is refused at load', async () => {
    configure(['aider']);
    const { code, stderr } = await flotilla('run', join(FIXTURES, 'pipeline.yml'), '--input', 'spec=x');
    expect(code).toBe(2);
    expect(stderr).toContain(
      'requires.integrations.any: none of claude, copilot, gemini, opencode is an agent profile of the configuration (profiles: aider)',
    );
  });

  it('an integration an input names is checked when it resolves, whatever the value holds', async () => {
    configure(['claude']);
    const file = join(dir, 'pick.yml');
    writeFileSync(
      file,
      'schema_version: "1.0"\nworkflow: { id: pick }\ninputs: { agent: { type: string } }\nsteps:\n  - id: ask\n    type: prompt\n    integration: "{{ inputs.agent }}"\n    prompt: hi\n',
    );
    for (const agent of ['gemini', '{{ claude }}']) {
      const { code, stdout } = await flotilla('run', file, '--input', `agent=${agent}`);
      expect(code, agent).toBe(1);
      expect(view(stdout).steps['ask']!.error).toContain(
        `ask: integration: "${agent}" is not an agent profile of the configuration (profiles: claude)`,
      );
    }
    const { code, stdout } = await flotilla('run', file, '--input', 'agent=claude');
    expect(code).toBe(0);
    expect(view(stdout).steps['ask']!.output).toMatchObject({ integration: 'claude' });
    expect(prompts()).toEqual(['hi']);
  });
});
