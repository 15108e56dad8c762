import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { gitIn, HOLD_AGENT, initRepository } from '../helpers/git.js';

let dir = '';
let source = '';
let gates = '';
let servers: ReturnType<typeof startCli>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-jobs-cli-'));
  source = join(dir, 'source');
  gates = join(dir, 'gates');
  mkdirSync(gates);
  initRepository(source);
  writeFileSync(
    join(dir, 'flotilla.config.yaml'),
    [
      'agents:',
      `  writer: { command: [sh, -c, 'echo "$1" > answer.txt; echo wrote it', sh, "{prompt}"] }`,
      '  broken: { command: [sh, -c, "echo no luck >&2; exit 4"] }',
      `  greeter: { command: [sh, -c, 'echo "hello $GREETING"'], env_allow: [GREETING] }`,
      `  hold: { command: ["${process.execPath}", "${HOLD_AGENT}", "${gates}", "{job_id}"] }`,
      `  quiet: { command: [sh, -c, 'echo thinking; sleep 1000 & wait'] }`,
      'repos:',
      `  app: { path: "${source}" }`,
    ].join('\n'),
  );
  servers = [];
});
afterEach(() => {
  for (const server of servers) server.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const home = () => join(dir, 'home');

describe('flotilla exec', () => {
  it('runs one job in its own checkout and prints it with its diff; the source stays untouched', async () => {
    const { code, stdout, stderr } = await runCli(
      ['exec', '--agent', 'writer', '--repo', source, '--json', '--home', home(), 'it is $(whoami); ok'],
      { cwd: dir },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const job = JSON.parse(stdout) as {
      status: string;
      diff: string;
      result: { changedFiles: string[]; branch: string; fetchFrom: string };
    };
    expect(job.status).toBe('succeeded');
    expect(job.result.changedFiles).toEqual(['answer.txt']);
    expect(job.diff).toContain('+it is $(whoami); ok');
    expect(gitIn(source, 'status', '--porcelain')).toBe('');
    expect(gitIn(job.result.fetchFrom, 'show', `${job.result.branch}:answer.txt`)).toBe(
      'it is $(whoami); ok',
    );
  });

  it('exits 1 when the agent fails and 2 for an agent that is not configured', async () => {
    const failed = await runCli(['exec', '--agent', 'broken', '--home', home(), 'x'], { cwd: dir });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('no luck');
    const unknown = await runCli(['exec', '--agent', 'nobody', '--home', home(), 'x'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('agent: unknown agent "nobody"');
  });

  it('stops an agent that falls silent for --idle-timeout as stalled (exit 1)', async () => {
    const { code, stdout } = await runCli(
      ['exec', '--agent', 'quiet', '--idle-timeout', '1', '--home', home(), 'x'],
      { cwd: dir },
    );
    expect(code).toBe(1);
    expect(stdout).toContain('thinking');
    expect(stdout).toMatch(/job_[0-9a-f]+ stalled in [\d.]+s: no output for 1 s \(idle timeout\)/);
  });
});

describe('flotilla jobs (a client of flotilla serve)', () => {
  async function serve(): Promise<string> {
    const server = startCli(['serve', '--port', '0', '--concurrency', '1', '--home', home()], { cwd: dir });
    servers.push(server);
    await server.waitForOutput('listening on');
    return /listening on (http:\/\/\S+)/.exec(server.output())![1]!;
  }

  it('submits and follows a job, lists, shows and diffs it', async () => {
    const url = await serve();
    const opts = { cwd: dir };
    const run = await runCli(
      ['jobs', 'submit', '--server', url, '--agent', 'writer', '--repo', 'app', '--wait', 'hello'],
      opts,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrote it');
    const id = /(job_[0-9a-f]+) succeeded/.exec(run.stdout)![1]!;

    const list = await runCli(['jobs', 'list', '--server', url, '--json'], opts);
    expect((JSON.parse(list.stdout) as { items: { id: string }[] }).items.map((job) => job.id)).toEqual([id]);
    const show = await runCli(['jobs', 'show', id, '--server', url], opts);
    expect(show.stdout).toContain('changed  answer.txt');
    const diff = await runCli(['jobs', 'diff', id, '--server', url], opts);
    expect(diff.stdout).toContain('+hello');
  });

  it('submits with --env for the agent and --meta kept with the job; a malformed one is refused (exit 2)', async () => {
    const url = await serve();
    const opts = { cwd: dir };
    const run = await runCli(
      [
        'jobs',
        'submit',
        '--server',
        url,
        '--agent',
        'greeter',
        '--env',
        'GREETING=a=b',
        '--meta',
        'ticket=ENG-1',
        '--meta',
        'by=ci',
        '--wait',
        'x',
      ],
      opts,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('hello a=b');
    const id = /(job_[0-9a-f]+) succeeded/.exec(run.stdout)![1]!;
    const show = await runCli(['jobs', 'show', id, '--server', url], opts);
    expect(show.stdout).toContain('metadata {"ticket":"ENG-1","by":"ci"}');
    for (const [flag, word, message] of [
      ['--meta', 'ticket', '--meta expects NAME=VALUE, got "ticket"'],
      ['--env', '=x', '--env expects NAME=VALUE, got "=x"'],
    ] as const) {
      const refused = await runCli(
        ['jobs', 'submit', '--server', url, '--agent', 'greeter', flag, word, 'x'],
        opts,
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(message);
    }
    const list = await runCli(['jobs', 'list', '--server', url, '--json'], opts);
    expect((JSON.parse(list.stdout) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('cancels a running job, and names the field when the server refuses a request (exit 2)', async () => {
    const url = await serve();
    const opts = { cwd: dir };
    const submitted = await runCli(
      ['jobs', 'submit', '--server', url, '--agent', 'hold', '--json', 'wait'],
      opts,
    );
    const { id } = JSON.parse(submitted.stdout) as { id: string };
    const cancelled = await runCli(['jobs', 'cancel', id, '--server', url, '--json'], opts);
    expect((JSON.parse(cancelled.stdout) as { status: string }).status).toBe('cancelled');
    const waited = await runCli(['jobs', 'wait', id, '--server', url], opts);
    expect(waited.code).toBe(1);

    const refused = await runCli(
      ['jobs', 'submit', '--server', url, '--agent', 'writer', '--repo', 'elsewhere', 'x'],
      opts,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('repo: unknown repository "elsewhere"');
  });

  it('refuses `exec` on the home of a running server, which keeps its job (exit 2)', async () => {
    const url = await serve();
    const opts = { cwd: dir };
    const submitted = await runCli(
      ['jobs', 'submit', '--server', url, '--agent', 'hold', '--json', 'x'],
      opts,
    );
    const { id } = JSON.parse(submitted.stdout) as { id: string };
    const exec = await runCli(['exec', '--agent', 'writer', '--home', home(), 'y'], opts);
    expect(exec.code).toBe(2);
    expect(exec.stderr).toMatch(/are run by another process \(pid \d+ on /);
    expect(exec.stderr).toContain('flotilla jobs submit');
    writeFileSync(join(gates, id), '0');
    const waited = await runCli(['jobs', 'wait', id, '--server', url, '--json'], opts);
    expect(JSON.parse(waited.stdout)).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('submits with --idle-timeout: a silent agent ends stalled, which `jobs list --status stalled` lists', async () => {
    const url = await serve();
    const cli = (...args: string[]) => runCli([...args, '--server', url], { cwd: dir });
    const stalled = await cli('jobs', 'submit', '--agent', 'quiet', '--idle-timeout', '1', '--wait', 'x');
    expect(stalled.code).toBe(1);
    expect(stalled.stdout).toContain('error    no output for 1 s (idle timeout)');
    const id = /(job_[0-9a-f]+) stalled/.exec(stalled.stdout)![1]!;
    expect((await cli('jobs', 'submit', '--agent', 'greeter', '--wait', 'x')).code).toBe(0);
    const listed = await cli('jobs', 'list', '--status', 'stalled', '--json');
    expect((JSON.parse(listed.stdout) as { items: { id: string }[] }).items.map((job) => job.id)).toEqual([
      id,
    ]);
    expect((await cli('jobs', 'list', '--status', 'stalled')).stdout).toMatch(new RegExp(`^${id}  stalled `));
  });

  it('says clearly when no server answers', async () => {
    const { code, stderr } = await runCli(['jobs', 'list', '--server', 'http://127.0.0.1:9'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('Cannot reach the Flotilla server at http://127.0.0.1:9');
  });
});
