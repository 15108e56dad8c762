import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessLostError } from './errors.js';
import { processGroupAlive } from './process-group.js';
import { runProcess } from './process-runner.js';
import { sharedSpawner } from './spawner.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'flotilla-spawner-')));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Fields of `/proc/<pid>/stat` after the command name: [state, ppid, pgrp, session, …]. */
function procStat(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('the spawner process', () => {
  it('forks our children, holds none of our environment, and is out of reach of our terminal', async () => {
    process.env.FLOTILLA_TEST_SECRET = 'hunter2';
    try {
      const result = await runProcess(['sh', '-c', 'echo $PPID']);
      const spawnerPid = sharedSpawner().pid!;
      expect(result.tail).toEqual([String(spawnerPid)]);
      // Nothing but what Node itself sets up the IPC channel with.
      const environment = readFileSync(`/proc/${spawnerPid}/environ`, 'utf8').split('\0').filter(Boolean);
      expect(environment.map((entry) => entry.split('=')[0]).sort()).toEqual([
        'NODE_CHANNEL_FD',
        'NODE_CHANNEL_SERIALIZATION_MODE',
      ]);
      const [, , group, session] = procStat(spawnerPid);
      const [, , ourGroup, ourSession] = procStat(process.pid);
      expect(group).toBe(String(spawnerPid));
      expect(group).not.toBe(ourGroup);
      expect(session).not.toBe(ourSession);
    } finally {
      delete process.env.FLOTILLA_TEST_SECRET;
    }
  });

  it('loses no output written before the pipes reach us, with many processes started at once', async () => {
    // The spawner sends a child's two pipes one after the other, each after the last one's
    // acknowledgement: a child writes at once, while its pipes (and those of the others) wait their turn.
    const runs = Array.from({ length: 100 }, (_, i) =>
      runProcess(['sh', '-c', `echo out${i}; echo err${i} >&2`]).then((result) => result.tail.sort()),
    );
    const tails = await Promise.all(runs);
    tails.forEach((tail, i) => expect(tail).toEqual([`err${i}`, `out${i}`]));
  });

  it('passes bytes to standard input as they are, and output larger than a pipe buffer whole', async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const echoed = await runProcess(['od', '-An', '-v', '-tu1'], { stdin: bytes, tailLines: 100 });
    expect(echoed.tail.join(' ').trim().split(/\s+/).map(Number)).toEqual([...bytes]);

    let lines = 0;
    const big = await runProcess(['sh', '-c', 'seq 1 200000'], { onLine: () => lines++ });
    expect(big.exitCode).toBe(0);
    expect(lines).toBe(200_000);
    expect(big.tail.at(-1)).toBe('200000');
  });

  it("starts in this process's working directory of the moment", async () => {
    const before = process.cwd();
    process.chdir(dir);
    try {
      expect((await runProcess(['pwd'])).tail).toEqual([dir]);
    } finally {
      process.chdir(before);
    }
  });

  it('when it dies, a running process is lost: its group is stopped, and the next run has a new spawner', async () => {
    const spawner = sharedSpawner();
    const run = runProcess(['sh', '-c', 'sleep 30 & echo started; wait'], {
      killGraceMs: 100,
      onLine: (_stream, line) => {
        if (line === 'started') process.kill(spawner.pid!, 'SIGKILL');
      },
    });
    const error: unknown = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProcessLostError);
    const lost = error as ProcessLostError;
    expect(lost.code).toBe('E_PROCESS_LOST');
    expect(lost.message).toContain('"sh"');
    expect(await processGroupAlive(lost.pid)).toBe(false);

    expect(sharedSpawner()).not.toBe(spawner);
    expect((await runProcess(['sh', '-c', 'echo again'])).tail).toEqual(['again']);
  });

  it('keeps no program alive once its work is done, and ends with it', async () => {
    const entry = new URL('./index.ts', import.meta.url).pathname;
    const script = `
      import { runProcess } from ${JSON.stringify(entry)};
      import { sharedSpawner } from ${JSON.stringify(entry.replace(/index\.ts$/, 'spawner.ts'))};
      const result = await runProcess(['sh', '-c', 'echo hi']);
      console.log(JSON.stringify({ tail: result.tail, spawner: sharedSpawner().pid }));
    `;
    const tsx = new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    // Were the spawner's channel holding the program, this would never resolve (the test's timeout).
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const { tail, spawner } = JSON.parse(out) as { tail: string[]; spawner: number };
    expect(tail).toEqual(['hi']);
    await until(() => !alive(spawner) || procStat(spawner)[0] === 'Z');
  });
});
