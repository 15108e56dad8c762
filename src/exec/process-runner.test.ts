import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, InvalidArgumentError } from '../core/index.js';
import type { OutputStream } from '../events/index.js';
import { SpawnError } from './errors.js';
import { runProcess } from './process-runner.js';
import type { RunProcessOptions } from './run-options.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'flotilla-exec-')));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `argv` and collects its lines per stream. */
async function collect(argv: readonly string[], options: RunProcessOptions = {}) {
  const lines: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
  const result = await runProcess(argv, { ...options, onLine: (stream, line) => lines[stream].push(line) });
  return { result, ...lines };
}

describe('runProcess: how the process ended', () => {
  it('reports the exit code, the pid and a positive duration', async () => {
    const result = await runProcess(['sh', '-c', 'exit 3']);
    expect(result).toMatchObject({
      exitCode: 3,
      signal: null,
      timedOut: false,
      cancelled: false,
      groupAlive: false,
    });
    expect(result.pid).toBeGreaterThan(1);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('reports the signal that ended the process', async () => {
    const result = await runProcess(['sh', '-c', 'kill -KILL $$']);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false, cancelled: false });
  });
});

describe('runProcess: output', () => {
  it('streams the lines of each stream in order, and keeps both in the tail', async () => {
    const script = 'echo o1; echo e1 >&2; echo o2; echo e2 >&2; echo o3';
    const { result, stdout, stderr } = await collect(['sh', '-c', script]);
    expect(stdout).toEqual(['o1', 'o2', 'o3']);
    expect(stderr).toEqual(['e1', 'e2']);
    expect([...result.tail].sort()).toEqual(['e1', 'e2', 'o1', 'o2', 'o3']);
  });

  it('keeps only the last `tailLines` lines', async () => {
    const argv = ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do echo $i; done'];
    expect((await runProcess(argv, { tailLines: 3 })).tail).toEqual(['8', '9', '10']);
    expect((await runProcess(argv, { tailLines: 0 })).tail).toEqual([]);
    expect((await runProcess(argv)).tail).toHaveLength(10);
  });

  it('flushes a last line without a newline and decodes UTF-8', async () => {
    const { stdout } = await collect(['printf', 'naïve 日本語 🚀\\r\\nno newline']);
    expect(stdout).toEqual(['naïve 日本語 🚀', 'no newline']);
  });

  it('splits lines longer than `maxLineBytes`', async () => {
    const argv = ['node', '-e', 'process.stdout.write("x".repeat(100) + "\\n")'];
    const { stdout } = await collect(argv, { maxLineBytes: 40 });
    expect(stdout).toEqual(['x'.repeat(40), 'x'.repeat(40), 'x'.repeat(20)]);
  });
});

describe('runProcess: the idle timeout', () => {
  it('restarts with each output, so a process that keeps writing may run past it in total', async () => {
    // 20 writes 0.1 s apart (lines on stdout, bare dots on stderr), 2 s in all, under a 1.5 s idle limit.
    const script = 'i=0; while [ $i -lt 20 ]; do echo $i; printf . >&2; i=$((i+1)); sleep 0.1; done';
    const { result, stdout } = await collect(['sh', '-c', script], { idleTimeoutMs: 1_500 });
    expect(result).toMatchObject({ exitCode: 0, stalled: false, timedOut: false });
    expect(stdout).toHaveLength(20);
    expect(result.durationMs).toBeGreaterThan(1_500);
  });
});

describe('runProcess: input, environment, directory', () => {
  it('writes `stdin` and closes it', async () => {
    const { stdout } = await collect(['sh', '-c', 'cat; echo end'], { stdin: 'first\nsecond\n' });
    expect(stdout).toEqual(['first', 'second', 'end']);
    const bytes = await collect(['cat'], { stdin: new TextEncoder().encode('from bytes') });
    expect(bytes.stdout).toEqual(['from bytes']);
  });

  it('gives /dev/null as stdin by default, so a reader does not wait', async () => {
    const { stdout } = await collect(['sh', '-c', 'cat; echo eof']);
    expect(stdout).toEqual(['eof']);
  });

  it('does not fail when the process exits without reading its input', async () => {
    const result = await runProcess(['sh', '-c', 'exit 0'], { stdin: 'x'.repeat(4 * 1024 * 1024) });
    expect(result.exitCode).toBe(0);
  });

  it('uses `env` as the whole environment', async () => {
    const env = { PATH: process.env['PATH'], FLOTILLA_TEST: 'a b' };
    const { stdout } = await collect(['sh', '-c', 'echo "$FLOTILLA_TEST"; echo "${HOME-unset}"'], { env });
    expect(stdout).toEqual(['a b', 'unset']);
  });

  it('runs in `cwd`', async () => {
    const { stdout } = await collect(['node', '-e', 'console.log(process.cwd())'], { cwd: dir });
    expect(stdout).toEqual([dir]);
  });
});

describe('runProcess: argv never goes through a shell', () => {
  it('passes shell syntax as literal arguments', async () => {
    const evil = '$(touch PWNED); echo hi; rm -rf x';
    const { stdout } = await collect(['printf', '%s\\n', evil, '`touch PWNED2`', '*'], { cwd: dir });
    expect(stdout).toEqual([evil, '`touch PWNED2`', '*']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps spaces, quotes and empty arguments as they are', async () => {
    const args = ['a b', '"quoted"', "'single'", '', '\\n', '>out'];
    const script = 'console.log(JSON.stringify(process.argv.slice(1)))';
    const { stdout } = await collect(['node', '-e', script, ...args], { cwd: dir });
    expect(JSON.parse(stdout[0] ?? 'null')).toEqual(args);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('runProcess: failures before the run', () => {
  it('rejects with SpawnError when the command does not exist', async () => {
    const error = await runProcess(['flotilla-no-such-command-x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpawnError);
    expect(error).toMatchObject({ code: 'E_SPAWN', errno: 'ENOENT', command: 'flotilla-no-such-command-x' });
    expect((error as SpawnError).message).toContain('flotilla-no-such-command-x');
  });

  it('rejects with SpawnError when the file is not executable', async () => {
    const script = join(dir, 'script.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    await expect(runProcess([script])).rejects.toMatchObject({ code: 'E_SPAWN', errno: 'EACCES' });
  });

  it('rejects with SpawnError when the working directory does not exist', async () => {
    const cwd = join(dir, 'missing');
    const error = await runProcess(['sh', '-c', 'true'], { cwd }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as SpawnError).message).toContain(cwd);
  });

  it('rejects with the reason of an already aborted signal, and starts nothing', async () => {
    const controller = new AbortController();
    const reason = new CancelledError('stopped by the test');
    controller.abort(reason);
    const argv = ['sh', '-c', 'touch started'];
    await expect(runProcess(argv, { cwd: dir, signal: controller.signal })).rejects.toBe(reason);
    const bare = AbortSignal.abort();
    await expect(runProcess(argv, { cwd: dir, signal: bare })).rejects.toBe(bare.reason);
    expect(existsSync(join(dir, 'started'))).toBe(false);
  });

  it('starts nothing when aborted after the call but before the spawn (which waits for pending callbacks)', async () => {
    const controller = new AbortController();
    const reason = new CancelledError('stopped at once');
    const run = runProcess(['sh', '-c', 'touch started'], { cwd: dir, signal: controller.signal });
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    // Had it started, `touch` would have had ample time by now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(join(dir, 'started'))).toBe(false);
  });

  it.each([
    ['an empty argv', [], {}],
    ['an empty command', [''], {}],
    ['a non-string argument', ['echo', 1], {}],
    ['a NUL character', ['echo', 'a\0b'], {}],
    ['a string instead of an array', 'echo hi', {}],
  ])('rejects %s with InvalidArgumentError naming argv', async (_name, argv, options) => {
    const run = runProcess(argv as unknown as string[], options);
    await expect(run).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(run).rejects.toThrow(/`argv`/);
  });

  it.each([
    ['timeoutMs', -1],
    ['timeoutMs', Number.NaN],
    ['timeoutMs', 2 ** 31],
    ['idleTimeoutMs', -1],
    ['killGraceMs', '100'],
    ['tailLines', 1.5],
    ['maxLineBytes', 0],
    ['killGroupOnExit', 'yes'],
    ['onLine', 'print'],
    ['cwd', 42],
    ['env', null],
  ])('rejects option %s = %s with InvalidArgumentError naming it', async (name, value) => {
    const run = runProcess(['true'], { [name]: value });
    await expect(run).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(run).rejects.toThrow(`\`${name}\``);
  });
});
