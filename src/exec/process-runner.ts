import type { Readable } from 'node:stream';
import type { OutputStream } from '../events/index.js';
import { ProcessLostError, SpawnError } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import { KILL_WAIT_MS, processGroupAlive, terminateProcessGroup } from './process-group.js';
import {
  resolveRunOptions,
  validateArgv,
  type ProcessResult,
  type ResolvedRunOptions,
  type RunProcessOptions,
} from './run-options.js';
import { sharedSpawner, type ExitStatus, type StartedProcess } from './spawner.js';
import { TailBuffer } from './tail-buffer.js';

/**
 * How long to wait, once the group is dealt with, for the output pipes to reach their end before closing
 * our side. They end at once unless a process outside the group still holds them: one that left it with
 * `setsid`, or a member left alive by `killGroupOnExit: false`.
 */
const STDIO_CLOSE_WAIT_MS = 1_000;

/** What a run's exit is when the spawner ended before it: its status is unknown. */
const LOST = Symbol('lost');

type StopReason = 'timeout' | 'idle' | 'cancel' | 'callback';

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
 * aborted (nothing starts), with `SpawnError` when the program cannot start, with the error thrown by
 * `onLine` (after stopping the group), and with `ProcessLostError` when the spawner process that forked it
 * (`spawner.ts`) ends while it runs (after stopping the group). A timeout, an idle timeout or a cancel
 * resolves, with `timedOut`, `stalled` or `cancelled`.
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
  // A caller that aborts in the same tick as it called (a batch cancelled as it is made) starts nothing.
  await Promise.resolve();
  resolved.signal.throwIfAborted();
  const startedAtMs = performance.now();
  let started: StartedProcess;
  try {
    started = await sharedSpawner().start({
      file: command,
      args,
      // The spawner's own working directory is this process's when it started, not necessarily now.
      cwd: resolved.cwd ?? process.cwd(),
      env: resolved.env,
      stdin: resolved.stdin,
    });
  } catch (error) {
    throw new SpawnError(command, resolved.cwd, error);
  }
  return supervise(command, started, startedAtMs, resolved);
}

/** Wires a started process to its options; resolves as `runProcess` describes. */
function supervise(
  command: string,
  started: StartedProcess,
  startedAtMs: number,
  options: ResolvedRunOptions,
): Promise<ProcessResult> {
  const { signal, onLine, killGraceMs } = options;
  const { pid } = started;
  const stdout = pipeOf(started.stdout);
  const stderr = pipeOf(started.stderr);
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

  const exit: Promise<ExitStatus | typeof LOST> = started.exit.then((status) => status ?? LOST);
  const closed = Promise.all([stdout, stderr].map(closing)).then(() => {});
  const timer = options.timeoutMs > 0 ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
  const onAbort = (): void => stop('cancel');
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop('cancel');

  const finish = async (): Promise<ProcessResult> => {
    const outcome = await Promise.race([exit, gaveUp]);
    exited = true;
    clearTimeout(timer);
    clearTimeout(idleTimer);
    clearTimeout(giveUpTimer);
    signal.removeEventListener('abort', onAbort);
    // Whether a lost process still runs cannot be told from its group, so its group is stopped too.
    if (terminating === undefined && (options.killGroupOnExit || outcome === LOST)) {
      terminating = terminateProcessGroup(pid, { killGraceMs });
    }
    const groupGone = terminating === undefined ? !(await processGroupAlive(pid)) : await terminating;
    await closePipes(closed, [stdout, stderr]);
    splitters.stdout.end();
    splitters.stderr.end();
    if (callbackError !== undefined) throw callbackError.error;
    if (outcome === LOST) throw new ProcessLostError(command, pid);
    const ended = outcome;
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

/** Resolves when `stream` has closed. */
function closing(stream: Readable): Promise<void> {
  return new Promise((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
}

function pipeOf(stream: Readable): Readable {
  // A read error ends the stream, and the end is handled through 'close'; without a listener it would throw.
  stream.on('error', () => {});
  return stream;
}
