import { assertCount, InvalidArgumentError, MAX_TIMER_MS, NEVER_ABORTED } from '../core/index.js';
import type { OutputStream } from '../events/index.js';
import { DEFAULT_KILL_GRACE_MS } from './process-group.js';

/** How many last lines of output a `ProcessResult` keeps, by default. */
export const DEFAULT_TAIL_LINES = 50;
/** The longest line emitted whole, by default (64 KiB); longer lines come in pieces. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** Options of `runProcess`. */
export interface RunProcessOptions {
  /**
   * The working directory of the process.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * The whole environment of the process (not merged with ours); `PATH` in it is used to find `argv[0]`.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Written to the process's standard input, which is then closed. When absent, standard input is
   * `/dev/null`, so a process that reads it sees the end at once instead of waiting for a terminal.
   * @default undefined
   */
  readonly stdin?: string | Uint8Array;
  /**
   * Milliseconds the process may run, counted from its start (never from a wait in a queue). When it
   * passes, the process group is stopped (SIGTERM, then SIGKILL) and the result has `timedOut: true`.
   * `0` means no limit.
   * @default 0
   */
  readonly timeoutMs?: number;
  /**
   * Milliseconds the process may go without writing anything (to stdout or stderr), counted from its
   * start and again from each output it writes: a process that stops talking but never exits is stopped
   * like a timeout (SIGTERM, then SIGKILL, the whole group) and the result has `stalled: true`. `0` means
   * no limit.
   * @default 0
   */
  readonly idleTimeoutMs?: number;
  /**
   * Aborting it stops the process group like a timeout does; the result has `cancelled: true`. If it is
   * already aborted, `runProcess` rejects with its `reason` and starts nothing.
   * @default a signal that never aborts
   */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds between SIGTERM and SIGKILL when the group is stopped.
   * @default 5_000
   */
  readonly killGraceMs?: number;
  /**
   * Whether members of the process group that are still alive when the process itself exits (programs
   * it started in the background) are stopped too — SIGTERM, then SIGKILL after `killGraceMs` — as
   * systemd's `KillMode=control-group` does. When `false` they live on, but their output is no longer
   * read after the run (their writes then fail with EPIPE), and `groupAlive` tells that they exist.
   * @default true
   */
  readonly killGroupOnExit?: boolean;
  /**
   * Called for each line of output, without its line ending, in order within each stream, as soon as the
   * line is complete. If it throws, the process group is stopped and `runProcess` rejects with that error.
   * @default undefined
   */
  readonly onLine?: (stream: OutputStream, line: string) => void;
  /**
   * How many last lines of output (both streams, in the order they were read) the result keeps.
   * @default 50
   */
  readonly tailLines?: number;
  /**
   * The longest line, in bytes, emitted whole; a longer line is emitted in pieces of at most this size.
   * @default 65_536
   */
  readonly maxLineBytes?: number;
}

/** How a process ended. */
export interface ProcessResult {
  /** The process id, which is also the id of its process group. */
  readonly pid: number;
  /** The exit code, or `null` when a signal ended the process. */
  readonly exitCode: number | null;
  /** The signal that ended the process, or `null` when it exited by itself. */
  readonly signal: NodeJS.Signals | null;
  /** Milliseconds from the start of the process to its exit, on the monotonic clock. */
  readonly durationMs: number;
  /** Whether `timeoutMs` passed and the process group was stopped for it. */
  readonly timedOut: boolean;
  /** Whether `idleTimeoutMs` passed without output and the process group was stopped for it. */
  readonly stalled: boolean;
  /** Whether the `signal` aborted and the process group was stopped for it. */
  readonly cancelled: boolean;
  /** The last `tailLines` lines of output, both streams, oldest first. */
  readonly tail: string[];
  /**
   * Whether members of the process group were still alive when the result was made: only when
   * `killGroupOnExit` is `false` and they outlived the process, or when one survived SIGKILL for longer
   * than `KILL_WAIT_MS` (uninterruptible sleep). Otherwise nothing the process started is left.
   */
  readonly groupAlive: boolean;
}

/** `RunProcessOptions` with defaults applied and values checked. */
export interface ResolvedRunOptions {
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: string | Uint8Array | undefined;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly killGraceMs: number;
  readonly killGroupOnExit: boolean;
  readonly onLine: ((stream: OutputStream, line: string) => void) | undefined;
  readonly tailLines: number;
  readonly maxLineBytes: number;
}

/** Checks `argv`: a non-empty array of strings without NUL characters, the first one non-empty. */
export function validateArgv(argv: unknown): readonly [string, ...string[]] {
  const valid =
    Array.isArray(argv) &&
    argv.length > 0 &&
    argv[0] !== '' &&
    argv.every((arg) => typeof arg === 'string' && !arg.includes('\0'));
  if (!valid) {
    const found = Array.isArray(argv) ? JSON.stringify(argv) : `${String(argv)} (${typeof argv})`;
    throw new InvalidArgumentError(
      `Expected \`argv\` to be a non-empty array of strings without NUL characters, got ${found}`,
    );
  }
  return argv as unknown as readonly [string, ...string[]];
}

/** Applies the defaults of `RunProcessOptions`; throws `InvalidArgumentError` naming a bad option. */
export function resolveRunOptions(options: RunProcessOptions): ResolvedRunOptions {
  const { cwd, env, stdin, onLine, signal } = options;
  if (cwd !== undefined && typeof cwd !== 'string') invalid('cwd', 'a string', cwd);
  if (env !== undefined && (typeof env !== 'object' || env === null)) invalid('env', 'an object', env);
  if (stdin !== undefined && typeof stdin !== 'string' && !(stdin instanceof Uint8Array)) {
    invalid('stdin', 'a string or a Uint8Array', stdin);
  }
  if (onLine !== undefined && typeof onLine !== 'function') invalid('onLine', 'a function', onLine);
  if (signal !== undefined && !(signal instanceof AbortSignal)) invalid('signal', 'an AbortSignal', signal);
  const killGroupOnExit = options.killGroupOnExit ?? true;
  if (typeof killGroupOnExit !== 'boolean') invalid('killGroupOnExit', 'a boolean', killGroupOnExit);
  return {
    cwd,
    env: env ?? process.env,
    stdin,
    timeoutMs: assertDelay('timeoutMs', options.timeoutMs ?? 0),
    idleTimeoutMs: assertDelay('idleTimeoutMs', options.idleTimeoutMs ?? 0),
    signal: signal ?? NEVER_ABORTED,
    killGraceMs: assertDelay('killGraceMs', options.killGraceMs ?? DEFAULT_KILL_GRACE_MS),
    killGroupOnExit,
    onLine,
    tailLines: assertCount('tailLines', options.tailLines ?? DEFAULT_TAIL_LINES, 0),
    maxLineBytes: assertCount('maxLineBytes', options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, 1),
  };
}

/** Asserts a delay a timer can wait: a finite number of milliseconds from 0 to `MAX_TIMER_MS`. */
function assertDelay(name: string, value: unknown): number {
  if (typeof value === 'number' && value >= 0 && value <= MAX_TIMER_MS) return value;
  return invalid(name, `a number of milliseconds from 0 to ${MAX_TIMER_MS}`, value);
}

function invalid(name: string, expected: string, value: unknown): never {
  const found = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new InvalidArgumentError(`Expected \`${name}\` to be ${expected}, got ${found} (${typeof value})`);
}
