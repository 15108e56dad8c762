/**
 * Features tested module by module elsewhere, each once more from the outside: a real `flotilla serve`
 * spawned on a free port, the real CLI as its client (or plain HTTP), real git repositories and agents.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processesWithEnvironment } from '../../src/exec/index.js';
import { runCli, startCli } from '../helpers/cli.js';
import { HOLD_AGENT, initRepository } from '../helpers/git.js';

const FAKE_CLAUDE = fileURLToPath(new URL('../../src/agents/fixtures/fake-claude.mjs', import.meta.url));

let dir = '';
let source = '';
let gates = '';
let started: ReturnType<typeof startCli>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-e2e-'));
  source = join(dir, 'source');
  gates = join(dir, 'gates');
  mkdirSync(gates);
  initRepository(source, { 'a/one.txt': '1\n', 'a/two.txt': '2\n', 'b/three.txt': '3\n' });
  const attempts = join(dir, 'attempts');
  writeFileSync(
    join(dir, 'flotilla.config.yaml'),
    [
      'agents:',
      `  writer: { command: [sh, -c, 'echo "$1" > answer.txt; echo wrote it', sh, "{prompt}"] }`,
      '  broken: { command: [sh, -c, "echo no luck >&2; exit 4"] }',
      `  lister: { command: [sh, -c, 'find . -type f -not -path "./.git*" | sort'] }`,
      `  claude: { command: ["${process.execPath}", "${FAKE_CLAUDE}", ok, "{prompt}"], output: claude-stream-json }`,
      `  hold: { command: ["${process.execPath}", "${HOLD_AGENT}", "${gates}", "{job_id}"] }`,
      // Rate limited twice (429, then 529), then it works: each attempt appends the time it started.
      '  limited:',
      `    command: [sh, -c, 'node -e "console.log(Date.now())" >> "$0"; n=$(wc -l < "$0"); if [ "$n" -eq 1 ]; then echo "429 Too Many Requests"; exit 1; elif [ "$n" -eq 2 ]; then echo "529 overloaded"; exit 1; fi; echo finally', "${attempts}"]`,
      "    retry: { on_output: ['429', '529'], attempts: 3, backoff_s: 0.3 }",
      'repos:',
      `  app: { path: "${source}", verify: [sh, -c, "grep -q ok answer.txt"] }`,
      `  tree: { path: "${source}" }`,
    ].join('\n'),
  );
  started = [];
});
afterEach(() => {
  for (const cli of started) cli.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const home = () => join(dir, 'home');

/** Starts `flotilla serve` on a free port; resolves to its URL. */
async function serve(...flags: string[]): Promise<string> {
  const server = startCli(['serve', '--port', '0', '--home', home(), ...flags], { cwd: dir });
  started.push(server);
  await server.waitForOutput('listening on');
  return /listening on (http:\/\/\S+)/.exec(server.output())![1]!;
}

interface Job {
  id: string;
  status: string;
  error: string | null;
  output_tail: string | null;
  result: {
    attempts?: number;
    output?: string;
    verify?: { exitCode: number | null };
    usage?: { inputTokens: number; outputTokens: number; costUsd?: number };
  } | null;
}

/** `jobs submit --wait --json` against `url`, then the job as `jobs show --json` gives it. */
async function submit(url: string, args: string[]): Promise<{ code: number | null; job: Job }> {
  const submitted = await runCli(['jobs', 'submit', '--server', url, '--wait', '--json', ...args], {
    cwd: dir,
  });
  const { id } = JSON.parse(submitted.stdout) as { id: string };
  const shown = await runCli(['jobs', 'show', '--server', url, '--json', id], { cwd: dir });
  return { code: submitted.code, job: JSON.parse(shown.stdout) as Job };
}

// Each test spawns the CLI several times (through tsx): slow on a loaded machine.
describe('through a real server', { timeout: 120_000 }, () => {
  it('a passing verify gives succeeded, a failing one failed, and a failed agent skips it', async () => {
    const url = await serve();
    const passing = await submit(url, ['--agent', 'writer', '--repo', 'app', 'ok']);
    expect(passing.code).toBe(0);
    expect(passing.job).toMatchObject({
      status: 'succeeded',
      error: null,
      result: { verify: { exitCode: 0 } },
    });
    const failing = await submit(url, ['--agent', 'writer', '--repo', 'app', 'nope']);
    expect(failing.code).toBe(1);
    expect(failing.job).toMatchObject({ status: 'failed', result: { verify: { exitCode: 1 } } });
    expect(failing.job.error).toContain('verify failed');
    const broken = await submit(url, ['--agent', 'broken', '--repo', 'app', 'x']);
    expect(broken.job.status).toBe('failed');
    expect(broken.job.result?.verify).toBeUndefined();
  });

  it('checks out only the sparse paths asked for, through POST /v1/jobs and `jobs submit --path`', async () => {
    const url = await serve();
    const byCli = await submit(url, ['--agent', 'lister', '--repo', 'tree', '--path', 'a', 'list']);
    expect(byCli.job.status).toBe('succeeded');
    expect(byCli.job.result?.output?.trim().split('\n')).toEqual(['./a/one.txt', './a/two.txt']);
    const posted = await fetch(`${url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'lister', repo: 'tree', paths: ['b'], prompt: 'list' }),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    const waited = await runCli(['jobs', 'wait', '--server', url, id], { cwd: dir });
    expect(waited.code).toBe(0);
    const shown = await runCli(['jobs', 'show', '--server', url, '--json', id], { cwd: dir });
    expect((JSON.parse(shown.stdout) as Job).result?.output?.trim()).toBe('./b/three.txt');
  });

  it('stores the tokens and cost an agent reports, and `jobs show` prints them', async () => {
    const url = await serve();
    const { job } = await submit(url, ['--agent', 'claude', 'summarise']);
    expect(job.result?.usage).toMatchObject({ inputTokens: 1200, outputTokens: 250, costUsd: 0.0123 });
    const shown = await runCli(['jobs', 'show', '--server', url, job.id], { cwd: dir });
    expect(shown.stdout).toMatch(/1,?200/);
    expect(shown.stdout).toMatch(/250/);
    expect(shown.stdout).toContain('0.0123');
  });

  it('retries an agent rate limited with 429 and 529 after its backoff, and records the attempts', async () => {
    const url = await serve();
    const { code, job } = await submit(url, ['--agent', 'limited', 'go']);
    expect(code).toBe(0);
    expect(job).toMatchObject({ status: 'succeeded', result: { attempts: 3 } });
    expect(job.result?.output).toContain('finally');
    const times = readFileSync(join(dir, 'attempts'), 'utf8').trim().split('\n').map(Number);
    expect(times).toHaveLength(3);
    // Each attempt started no sooner than the backoff after the one before.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(300);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(300);
  });

  it('applies a smaller concurrency live: running jobs finish, then one runs at a time', async () => {
    const url = await serve('--concurrency', '2');
    const submitHold = async (): Promise<string> => {
      const { stdout } = await runCli(['jobs', 'submit', '--server', url, '--json', '--agent', 'hold', 'x'], {
        cwd: dir,
      });
      return (JSON.parse(stdout) as { id: string }).id;
    };
    const health = async () =>
      (await (await fetch(`${url}/health`)).json()) as { active: number; queued: number; capacity: number };
    const ids = [await submitHold(), await submitHold()];
    await until(async () => (await health()).active === 2);
    const patched = await fetch(`${url}/api/server-config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ concurrency: 1 }),
    });
    expect(patched.status).toBe(200);
    ids.push(await submitHold(), await submitHold());
    // Both running jobs keep running; the new ones wait.
    expect(await health()).toMatchObject({ active: 2, queued: 2, capacity: 1 });
    writeFileSync(join(gates, ids[0]!), '0');
    await until(async () => (await health()).active === 1);
    // One slot, still taken by the second job: nothing new starts.
    expect(await health()).toMatchObject({ active: 1, queued: 2 });
    writeFileSync(join(gates, ids[1]!), '0');
    await until(async () => (await health()).queued === 1);
    expect((await health()).active).toBe(1);
    for (const id of ids.slice(2)) writeFileSync(join(gates, id), '0');
    await until(async () => (await health()).active + (await health()).queued === 0);
  });

  it('refuses `flotilla run` with agent steps on the home of a running server (exit 2); shell steps still run', async () => {
    await serve();
    writeFileSync(
      join(dir, 'agents.yml'),
      'schema_version: 1\nworkflow: { id: a }\nsteps: [{ id: ask, type: agent, agent: writer, prompt: hi }]\n',
    );
    const refused = await runCli(['run', 'agents.yml', '--home', home()], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('are run by another process');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(
      join(dir, 'shell.yml'),
      'schema_version: 1\nworkflow: { id: s }\nsteps: [{ id: say, type: shell, run: [echo, hi] }]\n',
    );
    const local = await runCli(['run', 'shell.yml', '--home', home()], { cwd: dir });
    expect(local.code).toBe(0);
  });
});

describe('Ctrl-C', { timeout: 60_000 }, () => {
  it('a second Ctrl-C exits at once with 130, without waiting for a stubborn agent', async () => {
    writeFileSync(
      join(dir, 'flotilla.config.yaml'),
      // The agent ignores SIGTERM: a first Ctrl-C waits out the kill grace period before SIGKILL.
      `agents:\n  stubborn: { command: [sh, -c, "trap '' TERM; echo ready; while true; do sleep 0.05; done"] }\n`,
    );
    const cli = startCli(['exec', '--agent', 'stubborn', '--home', home(), 'x'], { cwd: dir });
    started.push(cli);
    await cli.waitForOutput('ready');
    cli.child.kill('SIGINT');
    await until(() => Promise.resolve(cli.errors().includes('press Ctrl-C again')));
    cli.child.kill('SIGINT');
    const { code, stderr } = await cli.done;
    expect(code).toBe(130);
    expect(stderr).not.toMatch(/\n\s+at /);
    // It left at once: the stubborn agent is still there, inside the grace period a first Ctrl-C waits out
    // (the next start of this home stops it, by its marker).
    const left = await processesWithEnvironment({ FLOTILLA_HOME: home() });
    expect(left.length).toBeGreaterThan(0);
    for (const pid of left) process.kill(pid, 'SIGKILL');
  });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let turn = 0; turn < 1500; turn++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('timed out waiting');
}
