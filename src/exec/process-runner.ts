import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { OutputStream } from '../events/index.js';
import { SpawnError } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import { KILL_WAIT_MS, processGroupAlive, terminateProcessGroup } from './process-group.js';
import {
  resolveRunOptions,
  validateArgv,
  type ProcessResult,
  type ResolvedRunOptions,
  type RunProcessOptions,
} from './run-options.js';
import { TailBuffer } from './tail-buffer.js';

/**
 * How long to wait, once the group is dealt with, for the output pipes to reach their end before closing
 * our side. They end at once unless a process outside the group still holds them: one that left it with
 * `setsid`, or a member left alive by `killGroupOnExit: false`.
 */
const STDIO_CLOSE_WAIT_MS = 1_000;

type StopReason = 'timeout' | 'idle' | 'cancel' | 'callback';

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly atMs: number;
}

/**
 * Runs a program and resolves with how it ended, once nothing it started is left running.
 *
 * - `argv[0]` is looked up on the `PATH` of `env` and receives `argv[1..]` as they are: no shell ever
 *   sees them, so quotes, `$()`, `;` and globs mean nothing.
 * - The process leads a new process group (and session), so that it and everything it starts can be
 *   signalled together; it does not get our terminal's Ctrl-C, the caller cancels through `signal`.
 * - Output is read line by line (`onLine`) and its last lines are kept (`tail`).
 * - On timeout, idle timeout (no output for `idleTimeoutMs`) or cancel the whole group gets SIGTERM,
 *   then SIGKILL after `killGraceMs` (see `terminateProcessGroup`); with `killGroupOnExit`, so do members
 *   left behind by a normal exit.
 *
 * Rejects with `InvalidArgumentError` for bad arguments, with `signal.reason` when `signal` is already
 * aborted (nothing starts), with `SpawnError` when the program cannot start, and with the error thrown
 * by `onLine` (after stopping the group). A timeout, an idle timeout or a cancel resolves, with
 * `timedOut`, `stalled` or `cancelled`.
 * It resolves at most `killGraceMs + KILL_WAIT_MS` (plus `STDIO_CLOSE_WAIT_MS` when an outsider holds the
 * pipes) after the exit, the timeout or the cancel, even if a member cannot be killed.
 */
export async function runProcess(
  argv: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  const [command, ...args] = validateArgv(argv);
  const resolved = resolveRunOptions(options);
  resolved.signal.throwIfAborted();
  await forkAfterPendingCallbacks();
  resolved.signal.throwIfAborted();
  const startedAtMs = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: resolved.cwd,
      env: resolved.env,
      detached: true,
      shell: false,
      stdio: [resolved.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (error) {
    throw new SpawnError(command, resolved.cwd, error);
  }
  if (child.pid === undefined) {
    // A failed spawn reports its errno on the next tick, through 'error'.
    const cause = await new Promise<unknown>((resolve) => child.once('error', resolve));
    throw new SpawnError(command, resolved.cwd, cause);
  }
  return supervise(child, child.pid, startedAtMs, resolved);
}

/**
 * Resolves in the check phase of the event loop, after the I/O callbacks of this iteration.
 *
 * Forking marks every page of this process copy-on-write, so each page written after a fork costs a page
 * fault (tens of µs on some virtual machines). When many short processes come and go, each exit's
 * callback records the end and starts the next run; if every start forked at once, that bookkeeping
 * (SQLite's pages, the heap) would fault again after each fork. Spawning in the check phase lets all the
 * callbacks of an iteration write first and the forks follow together: measured with 300 runs of `true`
 * at concurrency 10 through the job service, 198 → 148 faults per job (bare spawns: 146).
 */
function forkAfterPendingCallbacks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Wires a started process to its options; resolves as `runProcess` describes. */
function supervise(
  child: ChildProcess,
  pid: number,
  startedAtMs: number,
  options: ResolvedRunOptions,
): Promise<ProcessResult> {
  const { signal, onLine, killGraceMs } = options;
  const stdout = pipeOf(child.stdout);
  const stderr = pipeOf(child.stderr);
  const tail = new TailBuffer<string>(options.tailLines);
  let stopReason: StopReason | undefined;
  let callbackError: { readonly error: unknown } | undefined;
  let terminating: Promise<boolean> | undefined;
  let exited = false;
  let giveUpTimer: NodeJS.Timeout | undefined;
  let giveUp = (): void => {};
  const gaveUp = new Promise<undefined>((resolve) => (giveUp = () => resolve(undefined)));

  const stop = (reason: StopReason): void => {
    if (exited || terminating !== undefined) return;
    stopReason = reason;
    terminating = terminateProcessGroup(pid, { killGraceMs });
    // The exit normally follows the group's end at once; if it does not (the process left its group, or
    // sleeps uninterruptibly), stop waiting for it rather than hang.
    terminating.then((gone) => {
      if (exited) return;
      if (gone) giveUpTimer = setTimeout(giveUp, KILL_WAIT_MS);
      else giveUp();
    }, giveUp);
  };

  const lineHandler =
    (stream: OutputStream) =>
    (line: string): void => {
      tail.push(line);
      if (onLine === undefined || callbackError !== undefined) return;
      try {
        onLine(stream, line);
      } catch (error) {
        callbackError = { error };
        stop('callback');
      }
    };
  const splitters = {
    stdout: new LineSplitter(options.maxLineBytes, lineHandler('stdout')),
    stderr: new LineSplitter(options.maxLineBytes, lineHandler('stderr')),
  };
  // The idle clock runs from the start and from each output. One timer per idle period, not per chunk:
  // when it fires early (output came meanwhile), it waits again for the rest of the period.
  const { idleTimeoutMs } = options;
  let lastOutputAtMs = startedAtMs;
  let idleTimer: NodeJS.Timeout | undefined;
  const checkIdle = (): void => {
    const silentMs = performance.now() - lastOutputAtMs;
    if (silentMs >= idleTimeoutMs) stop('idle');
    else idleTimer = setTimeout(checkIdle, idleTimeoutMs - silentMs);
  };
  if (idleTimeoutMs > 0) idleTimer = setTimeout(checkIdle, idleTimeoutMs);
  const onOutput = (splitter: LineSplitter) => (chunk: Buffer) => {
    if (idleTimeoutMs > 0) lastOutputAtMs = performance.now();
    splitter.push(chunk);
  };
  stdout.on('data', onOutput(splitters.stdout));
  stderr.on('data', onOutput(splitters.stderr));

  if (options.stdin !== undefined && child.stdin) {
    // A process that exits without reading all its input makes the write fail (EPIPE); its exit says why.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin);
  }

  const exit = new Promise<Exit>((resolve) =>
    child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal, atMs: performance.now() })),
  );
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const timer = options.timeoutMs > 0 ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
  const onAbort = (): void => stop('cancel');
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop('cancel');

  const finish = async (): Promise<ProcessResult> => {
    const ended = await Promise.race([exit, gaveUp]);
    exited = true;
    clearTimeout(timer);
    clearTimeout(idleTimer);
    clearTimeout(giveUpTimer);
    signal.removeEventListener('abort', onAbort);
    if (terminating === undefined && options.killGroupOnExit) {
      terminating = terminateProcessGroup(pid, { killGraceMs });
    }
    const groupGone = terminating === undefined ? !(await processGroupAlive(pid)) : await terminating;
    await closePipes(closed, [stdout, stderr]);
    splitters.stdout.end();
    splitters.stderr.end();
    if (callbackError !== undefined) throw callbackError.error;
    return {
      pid,
      exitCode: ended?.code ?? null,
      signal: ended?.signal ?? null,
      durationMs: (ended?.atMs ?? performance.now()) - startedAtMs,
      timedOut: stopReason === 'timeout',
      stalled: stopReason === 'idle',
      cancelled: stopReason === 'cancel',
      tail: tail.toArray(),
      groupAlive: !groupGone || ended === undefined,
    };
  };
  return finish();
}

/** Waits up to `STDIO_CLOSE_WAIT_MS` for the child's pipes to close, then closes our side. */
async function closePipes(closed: Promise<void>, pipes: readonly Readable[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, STDIO_CLOSE_WAIT_MS)));
  await Promise.race([closed, waited]);
  clearTimeout(timer);
  for (const pipe of pipes) pipe.destroy();
}

function pipeOf(stream: Readable | null): Readable {
  if (stream === null) throw new Error('A pipe asked for with stdio "pipe" is missing');
  // A read error ends the stream, and the end is handled through 'close'; without a listener it would throw.
  stream.on('error', () => {});
  return stream;
}
