import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary, RunView } from '../../src/workflow/index.js';
import { runCli, startCli } from '../helpers/cli.js';
import { initRepository } from '../helpers/git.js';

/** Each test spawns the CLI a few times; on a loaded machine one start takes seconds. */
const CLI_TEST_TIMEOUT_MS = 120_000;

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-workflow-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in the test's folder against its own home. */
function flotilla(...args: string[]) {
  return runCli([...args, '--home', join(dir, 'home')], { cwd: dir });
}

function workflow(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A matcher typed `unknown`, so object literals of expectations stay typed. */
function containing(text: string): unknown {
  return expect.stringContaining(text);
}

function parsed<T = RunView>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

/** A list, a fan-out whose items finish in reverse order, and a step that uses the results. */
const FAN_OUT = `schema_version: 1
workflow: { id: fan, name: Fan out }
inputs:
  count: { type: integer, default: 3 }
  loud: { type: boolean, default: false }
steps:
  - id: list
    type: shell
    run: [sh, -c, 'seq "$0" -1 1', "{{ inputs.count }}"]
    output_format: lines
  - id: each
    type: fan-out
    items: "{{ steps.list.output.lines }}"
    max_concurrency: 4
    step:
      id: say
      type: shell
      run: [sh, -c, 'sleep "0.$0"; echo "item $0 loud=$1"', "{{ item }}", "{{ inputs.loud }}"]
  - id: total
    type: shell
    run: [echo, "{{ steps.each.output.counts.succeeded }} done"]
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

interface ItemResultJson {
  readonly index: number;
  readonly status: string;
  readonly output: { readonly stdout: string };
}

describe('flotilla run', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('runs shell steps and a fan-out: exit 0, results in item order, one JSON document', async () => {
    const file = workflow('fan.yml', FAN_OUT);
    const { code, stdout, stderr } = await flotilla('run', file, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const run = parsed(stdout);
    expect(run).toMatchObject({ status: 'succeeded', inputs: { count: 3, loud: false }, workflow: { file } });
    const { records: results } = run.steps.each!.output as { records: ItemResultJson[] };
    // Item 0 sleeps longest and finishes last, yet comes first.
    expect(results.map((result) => result.output.stdout)).toEqual([
      'item 3 loud=false',
      'item 2 loud=false',
      'item 1 loud=false',
    ]);
    expect(run.steps.total!.output).toMatchObject({ stdout: '3 done' });
  });

  it('shows progress as plain lines without a TTY, then the steps and the outcome', async () => {
    const { code, stdout } = await flotilla('run', workflow('fan.yml', FAN_OUT), '--input', 'count=2');
    expect(code).toBe(0);
    expect(stdout).toContain('→ each:say:1 started');
    expect(stdout).toMatch(/✔ each:say:1 succeeded/);
    expect(stdout).toMatch(/STEP\s+STATUS\s+ATTEMPTS\s+TIME\s+ERROR/);
    expect(stdout).toMatch(/each\s+succeeded\s+1/);
    expect(stdout).toMatch(/✔ run_[0-9a-f]+ succeeded in /);
  });

  it('reads --input values as their declared types, and refuses a bad one with exit 2', async () => {
    const file = workflow('fan.yml', FAN_OUT);
    const ok = await flotilla('run', file, '--input', 'count=1', '--input', 'loud=yes', '--json');
    expect(ok.code).toBe(0);
    const run = parsed(ok.stdout);
    expect(run.inputs).toEqual({ count: 1, loud: true });
    expect(run.steps.total!.output).toMatchObject({ stdout: '1 done' });

    const bad = await flotilla('run', file, '--input', 'count=many', '--input', 'colour=red');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('input "count": expected an integer, got "many"');
    expect(bad.stderr).toContain('unknown input "colour" (declared: count, loud)');
    const malformed = await flotilla('run', file, '--input', 'count', '--json');
    expect(malformed.code).toBe(2);
    expect(parsed<{ error: { code: string } }>(malformed.stdout).error).toMatchObject({
      code: 'E_WORKFLOW_INPUT',
      message: containing('expected NAME=VALUE'),
    });
  });

  it('exits 1 when an item fails, naming it', async () => {
    const file = workflow(
      'fail.yml',
      `schema_version: 1
workflow: { id: fail }
steps:
  - id: each
    type: fan-out
    items: [0, 1, 2]
    step: { id: check, type: shell, run: 'echo "checking {{ item }}"; test {{ item }} != 1' }
`,
    );
    const { code, stdout } = await flotilla('run', file);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✖ each:check:1 failed .*exited with code 1: checking 1/);
    expect(stdout).toMatch(/✖ run_[0-9a-f]+ failed/);
    expect(stdout).toContain('resume with: flotilla runs resume run_');
    const json = await flotilla('run', file, '--json');
    expect(json.code).toBe(1);
    const run = parsed(json.stdout);
    expect(run.status).toBe('failed');
    const { records: results } = run.steps.each!.output as { records: ItemResultJson[] };
    expect(results.map((result) => result.status)).toEqual(['succeeded', 'failed']);
  });

  it('runs agent steps through a job service of the home, each in its own checkout', async () => {
    const source = join(dir, 'source');
    initRepository(source);
    writeFileSync(
      join(dir, 'flotilla.config.yaml'),
      [
        'agents:',
        `  writer: { command: [sh, -c, 'echo "$1" > answer.txt; echo wrote "$1"', sh, "{prompt}"] }`,
        'repos:',
        `  app: { path: "${source}" }`,
      ].join('\n'),
    );
    const file = workflow(
      'agents.yml',
      `schema_version: 1
workflow: { id: agents }
steps:
  - id: each
    type: fan-out
    items: [one, two]
    max_concurrency: 2
    step: { id: write, type: agent, agent: writer, repo: app, prompt: "{{ item }}" }
`,
    );
    const { code, stdout } = await flotilla('run', file, '--json');
    expect(code).toBe(0);
    const { records: results } = parsed(stdout).steps.each!.output as {
      records: { output: { output: string; changed_files: string[]; diff: string } }[];
    };
    expect(results.map((result) => result.output.output.trim())).toEqual(['wrote one', 'wrote two']);
    expect(results.map((result) => result.output.changed_files)).toEqual([['answer.txt'], ['answer.txt']]);
    expect(results[1]!.output.diff).toContain('+two');
  });

  it('exits 2 for an invalid workflow, naming file, line and column', async () => {
    const file = workflow('wf.yml', FAN_OUT.replace('max_concurrency: 4', 'max_concurrency: "four"'));
    const { code, stdout, stderr } = await flotilla('run', file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      'wf.yml:14:22: steps[1] (each).max_concurrency: expected an integer ≥ 1 (or "3", or one "{{ expression }}"), got "four"',
    );
  });
});

describe('flotilla runs', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('pauses at a gate without a TTY; approve resumes it to the end', async () => {
    const paused = await flotilla('run', workflow('gated.yml', GATED));
    expect(paused.code).toBe(0);
    const id = /(run_[0-9a-f]+) paused/.exec(paused.stdout)![1]!;
    expect(paused.stdout).toContain(
      `paused at gate ship: Ship it? — approve with: flotilla runs approve ${id}`,
    );

    const shown = parsed((await flotilla('runs', 'show', id, '--json')).stdout);
    expect(shown).toMatchObject({ status: 'paused', waiting: [{ item_id: 'ship', message: 'Ship it?' }] });

    const approved = await flotilla('runs', 'approve', id, '--by', 'alice', '--comment', 'lgtm', '--json');
    expect(approved.code).toBe(0);
    const run = parsed(approved.stdout);
    expect(run).toMatchObject({ id, status: 'succeeded' });
    expect(run.steps.ship!.output).toMatchObject({ approved: true, by: 'alice', comment: 'lgtm' });
    expect(run.steps.build!.attempts).toBe(1);
    expect(run.steps.deploy!.output).toMatchObject({ stdout: 'deployed' });
  });

  it('a rejection fails the run (exit 1)', async () => {
    const paused = parsed((await flotilla('run', workflow('gated.yml', GATED), '--json')).stdout);
    expect(paused.status).toBe('paused');
    const rejected = await flotilla('runs', 'approve', paused.id, '--reject', '--comment', 'not today');
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain('not today');
  });

  it('lists and shows runs; cancels a paused one, which then no longer resumes', async () => {
    const paused = parsed((await flotilla('run', workflow('gated.yml', GATED), '--json')).stdout);
    expect(paused.status).toBe('paused');

    const list = await flotilla('runs', 'list', '--status', 'paused');
    expect(list.stdout).toMatch(/ID\s+STATUS\s+NAME\s+CREATED\s+FINISHED/);
    expect(list.stdout).toMatch(new RegExp(`${paused.id}\\s+paused\\s+gated`));
    const shown = await flotilla('runs', 'show', paused.id);
    expect(shown.stdout).toMatch(/build\s+succeeded\s+1/);
    expect(shown.stdout).toContain(
      `paused at gate ship: Ship it? — approve with: flotilla runs approve ${paused.id}`,
    );

    const cancelled = await flotilla('runs', 'cancel', paused.id, '--json');
    expect(cancelled.code).toBe(0);
    expect(parsed(cancelled.stdout)).toMatchObject({ id: paused.id, status: 'cancelled' });
    const listed = parsed<{ items: RunSummary[] }>((await flotilla('runs', 'list', '--json')).stdout);
    expect(listed.items.map((run) => [run.id, run.status])).toEqual([[paused.id, 'cancelled']]);
    const resumed = await flotilla('runs', 'resume', paused.id);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain('only interrupted, failed or paused runs resume');
  });

  it('Ctrl-C interrupts a run (exit 130); resume finishes it without running finished steps again', async () => {
    const marker = join(dir, 'go');
    const count = join(dir, 'count');
    const file = workflow(
      'slow.yml',
      `schema_version: 1
workflow: { id: slow }
steps:
  - id: once
    type: shell
    run: [sh, -c, 'echo x >> "$0"', "${count}"]
  - id: wait
    type: shell
    run: [sh, -c, 'test -f "$0" || sleep 30', "${marker}"]
`,
    );
    const cli = startCli(['run', file, '--home', join(dir, 'home')], { cwd: dir });
    await cli.waitForOutput('→ wait started');
    cli.child.kill('SIGINT');
    const { code, stdout } = await cli.done;
    expect(code).toBe(130);
    const id = /(run_[0-9a-f]+) interrupted/.exec(stdout)![1]!;
    expect(stdout).toContain(`resume with: flotilla runs resume ${id}`);
    expect(parsed((await flotilla('runs', 'show', id, '--json')).stdout).status).toBe('interrupted');

    writeFileSync(marker, '');
    const resumed = await flotilla('runs', 'resume', id, '--json');
    expect(resumed.code).toBe(0);
    expect(parsed(resumed.stdout)).toMatchObject({ status: 'succeeded', steps: { wait: { attempts: 2 } } });
    expect(readFileSync(count, 'utf8')).toBe('x\n');
  });
});
