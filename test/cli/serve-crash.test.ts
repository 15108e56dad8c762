import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { HOLD_AGENT, initRepository } from '../helpers/git.js';

let dir = '';
let servers: ReturnType<typeof startCli>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-crash-'));
  servers = [];
});
afterEach(() => {
  for (const server of servers) server.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Live processes whose environment marks them as agents of `jobId`. */
function agentsOf(jobId: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') return false;
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`FLOTILLA_JOB_ID=${jobId}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function serve(): Promise<string> {
  const server = startCli(['serve', '--port', '0', '--concurrency', '1', '--home', join(dir, 'home')], {
    cwd: dir,
  });
  servers.push(server);
  await server.waitForOutput('listening on');
  return /listening on (http:\/\/\S+)/.exec(server.output())![1]!;
}

async function status(url: string, id: string): Promise<string> {
  const response = await fetch(`${url}/v1/jobs/${id}`);
  return ((await response.json()) as { status: string }).status;
}

describe('flotilla serve after kill -9', () => {
  it('loses no acknowledged job: a restart stops the old agent and finishes running and queued jobs', async () => {
    const gates = join(dir, 'gates');
    const source = join(dir, 'source');
    mkdirSync(gates);
    mkdirSync(source);
    initRepository(source);
    writeFileSync(
      join(dir, 'flotilla.config.yaml'),
      [
        'agents:',
        `  hold: { command: ["${process.execPath}", "${HOLD_AGENT}", "${gates}", "{job_id}", note.txt] }`,
        'repos:',
        `  app: { path: "${source}" }`,
      ].join('\n'),
    );

    let url = await serve();
    const ids: string[] = [];
    for (const prompt of ['first', 'second', 'third']) {
      const response = await fetch(`${url}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent: 'hold', prompt, repo: 'app' }),
      });
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { id: string }).id);
    }
    const [first, second, third] = ids as [string, string, string];
    const oldAgents = await until(() => (agentsOf(first).length > 0 ? agentsOf(first) : undefined));

    servers[0]!.child.kill('SIGKILL');
    await servers[0]!.done;
    // The agent outlived the server: it leads its own session.
    expect(agentsOf(first)).toEqual(oldAgents);

    url = await serve();
    for (const pid of oldAgents) expect(agentsOf(first)).not.toContain(pid);
    for (const id of ids) {
      await until(async () => ((await status(url, id)) === 'running' ? true : undefined));
      writeFileSync(join(gates, id), '0');
      await until(async () => ((await status(url, id)) === 'succeeded' ? true : undefined));
    }
    const job = (await (await fetch(`${url}/v1/jobs/${first}`)).json()) as { attempts: number };
    expect(job.attempts).toBe(2);
    expect(await status(url, second)).toBe('succeeded');
    expect(await status(url, third)).toBe('succeeded');
  });
});
