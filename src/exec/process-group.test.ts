import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, InvalidArgumentError } from '../core/index.js';
import { errnoOf } from './errors.js';
import { killProcessGroup, processGroupAlive, terminateProcessGroup } from './process-group.js';
import { runProcess } from './process-runner.js';
import type { RunProcessOptions } from './run-options.js';

/** Process groups the tests started; whatever a failing test leaves behind is killed after it. */
const groups = new Set<number>();
afterEach(() => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Gone already, as it should be.
    }
  }
  groups.clear();
});

/**
 * Whether `pid` is gone, checked independently of the code under test: `kill(pid, 0)` fails with ESRCH,
 * or the process is a zombie (it has exited; a PID 1 that never reaps, as in containers, keeps it listed).
 */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errnoOf(error) === 'ESRCH') return true;
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

/**
 * A shell that starts `sleep 1000` in the background, prints its pid, and waits. `prelude` runs first
 * (a `trap`, say). The first line of output is the grandchild's pid.
 */
function withGrandchild(prelude = ''): string[] {
  return ['sh', '-c', `${prelude} sleep 1000 & echo $!; wait`];
}

/** Runs `argv`; calls `onFirstLine` with the first line of stdout; returns the result and the lines. */
async function run(argv: string[], options: RunProcessOptions, onFirstLine = (_line: string): void => {}) {
  const lines: string[] = [];
  const result = await runProcess(argv, {
    ...options,
    onLine: (stream, line) => {
      if (stream !== 'stdout') return;
      lines.push(line);
      if (lines.length === 1) onFirstLine(line);
    },
  });
  groups.add(result.pid);
  return { result, lines, grandchild: Number(lines[0]) };
}

describe('runProcess: a timeout stops the whole process group', () => {
  it('kills the child and its grandchild, and resolves with timedOut', async () => {
    const { result, grandchild } = await run(withGrandchild(), { timeoutMs: 1_000 });
    expect(result).toMatchObject({ timedOut: true, cancelled: false, exitCode: null, signal: 'SIGTERM' });
    expect(result.groupAlive).toBe(false);
    expect(grandchild).toBeGreaterThan(1);
    expect(isGone(result.pid)).toBe(true);
    expect(isGone(grandchild)).toBe(true);
    expect(await processGroupAlive(result.pid)).toBe(false);
  });

  it('SIGKILLs a group that ignores SIGTERM once the grace period is over', async () => {
    const argv = withGrandchild("trap '' TERM;");
    const { result, grandchild } = await run(argv, { timeoutMs: 1_000, killGraceMs: 200 });
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL', groupAlive: false });
    expect(isGone(result.pid)).toBe(true);
    expect(isGone(grandchild)).toBe(true);
  });
});

describe('runProcess: an idle timeout stops the whole process group', () => {
  it('kills a process that printed a line and fell silent, and its grandchild, and resolves with stalled', async () => {
    const { result, lines, grandchild } = await run(withGrandchild(), { idleTimeoutMs: 300 });
    expect(lines).toHaveLength(1);
    expect(result).toMatchObject({ stalled: true, timedOut: false, cancelled: false, signal: 'SIGTERM' });
    expect(result.groupAlive).toBe(false);
    expect(isGone(result.pid)).toBe(true);
    expect(isGone(grandchild)).toBe(true);
    expect(await processGroupAlive(result.pid)).toBe(false);
  });

  it('counts from the start: a process that never writes is stalled too', async () => {
    const { result } = await run(['sleep', '1000'], { idleTimeoutMs: 300, timeoutMs: 60_000 });
    expect(result).toMatchObject({ stalled: true, timedOut: false, signal: 'SIGTERM', groupAlive: false });
  });
});

describe('runProcess: a cancel stops the whole process group', () => {
  it('kills the child and its grandchild, and resolves with cancelled', async () => {
    const controller = new AbortController();
    const { result, grandchild } = await run(withGrandchild(), { signal: controller.signal }, () =>
      controller.abort(new CancelledError()),
    );
    expect(result).toMatchObject({ cancelled: true, timedOut: false, signal: 'SIGTERM', groupAlive: false });
    expect(isGone(result.pid)).toBe(true);
    expect(isGone(grandchild)).toBe(true);
  });

  it('sends SIGTERM first, so a process that handles it can shut down cleanly within the grace', async () => {
    const controller = new AbortController();
    // The default grace (5 s) leaves the handler ample time, however loaded the machine.
    const script = "trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 1; done";
    const { result, lines } = await run(['sh', '-c', script], { signal: controller.signal }, () =>
      controller.abort(),
    );
    expect(lines).toEqual(['ready', 'got TERM']);
    expect(result).toMatchObject({ cancelled: true, exitCode: 0, signal: null, groupAlive: false });
    expect(isGone(result.pid)).toBe(true);
  });

  it('stops the group and rejects with the error when onLine throws', async () => {
    const failure = new Error('onLine failed');
    let pid = 0;
    const run = runProcess(['sh', '-c', 'echo $$; sleep 1000'], {
      onLine: (_stream, line) => {
        pid = Number(line);
        throw failure;
      },
    });
    await expect(run).rejects.toBe(failure);
    groups.add(pid);
    expect(isGone(pid)).toBe(true);
    expect(await processGroupAlive(pid)).toBe(false);
  });
});

describe('runProcess: members left behind by a normal exit', () => {
  it('are stopped with killGroupOnExit, and do not hang the run by holding its stdout', async () => {
    const { result, grandchild } = await run(['sh', '-c', 'sleep 1000 & echo $!'], {});
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, groupAlive: false });
    expect(isGone(grandchild)).toBe(true);
  });

  it('are SIGKILLed after the grace period when they ignore SIGTERM', async () => {
    const argv = ['sh', '-c', "trap '' TERM; sleep 1000 & echo $!"];
    const { result, grandchild } = await run(argv, { killGraceMs: 200 });
    expect(result).toMatchObject({ exitCode: 0, groupAlive: false });
    expect(isGone(grandchild)).toBe(true);
  });

  it('live on without killGroupOnExit, reported by groupAlive, and terminateProcessGroup stops them', async () => {
    const argv = ['sh', '-c', 'sleep 1000 & echo $!'];
    const { result, grandchild } = await run(argv, { killGroupOnExit: false });
    expect(result).toMatchObject({ exitCode: 0, groupAlive: true });
    expect(isGone(grandchild)).toBe(false);
    expect(await processGroupAlive(result.pid)).toBe(true);

    expect(await terminateProcessGroup(result.pid, { killGraceMs: 200 })).toBe(true);
    expect(isGone(grandchild)).toBe(true);
    expect(await processGroupAlive(result.pid)).toBe(false);
  });
});

describe('process group helpers', () => {
  it('do not count zombies as alive', async () => {
    const { result, grandchild } = await run(['sh', '-c', 'sleep 1000 & echo $!'], {
      killGroupOnExit: false,
    });
    process.kill(grandchild, 'SIGKILL');
    // Reparented to PID 1, the grandchild may stay a zombie for good; the group is still dead.
    await vi.waitFor(async () => expect(await processGroupAlive(result.pid)).toBe(false), {
      timeout: 10_000,
    });
  });

  it('report a group that does not exist as gone', async () => {
    const unusedPgid = 2 ** 22 + 1; // above Linux's largest pid_max
    expect(killProcessGroup(unusedPgid, 'SIGTERM')).toBe(false);
    expect(await processGroupAlive(unusedPgid)).toBe(false);
    expect(await terminateProcessGroup(unusedPgid)).toBe(true);
  });

  it('refuse group ids that would signal our own group or every process', () => {
    expect(() => killProcessGroup(0, 0)).toThrow(InvalidArgumentError);
    expect(() => killProcessGroup(1, 'SIGKILL')).toThrow(InvalidArgumentError);
    expect(() => killProcessGroup(-5, 'SIGKILL')).toThrow(InvalidArgumentError);
    expect(() => killProcessGroup(2.5, 'SIGKILL')).toThrow(InvalidArgumentError);
  });
});
