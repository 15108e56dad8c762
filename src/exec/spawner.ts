import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { killProcessGroup } from './process-group.js';
import { SPAWNER_SOURCE } from './spawner-source.js';

/** What a process is started with; `file` is looked up on `env.PATH`. */
export interface StartRequest {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Written to its standard input, which is then closed; without it, standard input is `/dev/null`. */
  readonly stdin: string | Uint8Array | undefined;
}

/** How a started process exited. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When the exit was learnt, on `performance.now()`'s clock. */
  readonly atMs: number;
}

/** A process the spawner started: the leader of a new session and process group. */
export interface StartedProcess {
  /** Its process id, which is also the id of its process group. */
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /**
   * Resolves once it has exited and been reaped; with `undefined` when the spawner ended first, so that
   * its exit status will never be known (it may still be running).
   */
  readonly exit: Promise<ExitStatus | undefined>;
}

type SpawnerMessage =
  | { readonly op: 'stdout'; readonly id: number; readonly pid: number }
  | { readonly op: 'stderr'; readonly id: number }
  | {
      readonly op: 'exit';
      readonly id: number;
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
    }
  | { readonly op: 'failed'; readonly id: number; readonly error: SpawnFailure };

interface SpawnFailure {
  readonly message: string;
  readonly code?: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
}

interface Pending {
  readonly started: (process: StartedProcess) => void;
  readonly failed: (error: Error) => void;
  pid?: number;
  stdout?: Socket;
  exited?: (status: ExitStatus | undefined) => void;
}

/**
 * Starts processes from a small helper process of its own, so that this one never forks.
 *
 * A fork copies the parent's page tables and marks its memory copy-on-write, which costs time in
 * proportion to the parent's resident memory, and Node forks on the event loop's thread. A server with
 * 100 MB resident (SQLite's cache, the heap, the HTTP stack) was measured spending 4.2 ms of its event
 * loop per spawn of `true`: half its CPU in a soak of short jobs. The spawner is a bare Node process
 * (about 40 MB, nothing loaded but `child_process`) that forks instead, on another core, and passes each
 * child's stdout and stderr pipes back over its IPC channel: the output goes straight from the child to
 * this process, never through the spawner. Python's `forkserver` and Chromium's zygote are the same idea.
 *
 * Signals go from this process to the child's process group directly (`kill(-pid)`): the child leads
 * its own session, as `runProcess` promises. The spawner only reaps the children and reports their exit.
 * It gets an empty environment (it never needs ours, and holds no secret of ours), runs in its own
 * session (a Ctrl-C at our terminal does not reach it), keeps this process alive only while a start or an
 * exit is awaited, and ends when this process does.
 */
export class Spawner {
  readonly #process: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #ended = false;

  constructor() {
    this.#process = spawn(process.execPath, ['-e', SPAWNER_SOURCE], {
      detached: true,
      env: {},
      serialization: 'advanced',
      // None of our standard streams: a reader of ours waiting for their end must not wait for it.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    this.#process.on('message', (message: SpawnerMessage, handle?: Socket) => this.#receive(message, handle));
    // 'disconnect' comes once every message sent before the end has been read.
    this.#process.once('disconnect', () => this.#end());
    this.#process.once('error', (error) => this.#end(error));
    this.#process.unref();
    this.#process.channel?.unref();
  }

  /** The spawner process's id. */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** Whether it can still start processes; once it has ended, a new `Spawner` is needed. */
  get running(): boolean {
    return !this.#ended;
  }

  /**
   * Starts a process. Rejects with the errno error of a failed spawn (`code` `ENOENT`, `EACCES`, …), or
   * with an `Error` when the spawner has ended.
   */
  start(request: StartRequest): Promise<StartedProcess> {
    if (this.#ended) return Promise.reject(new Error('The spawner process has ended'));
    const id = this.#nextId++;
    return new Promise((started, failed) => {
      this.#pending.set(id, { started, failed });
      if (this.#pending.size === 1) this.#process.channel?.ref();
      this.#process.send({ id, ...request }, (error) => {
        if (error) this.#fail(id, error);
      });
    });
  }

  #receive(message: SpawnerMessage, handle: Socket | undefined): void {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    switch (message.op) {
      case 'stdout':
        pending.pid = message.pid;
        pending.stdout = handle;
        return;
      case 'stderr':
        return this.#started(message.id, pending, handle);
      case 'exit':
        pending.exited?.({ code: message.code, signal: message.signal, atMs: performance.now() });
        return this.#forget(message.id);
      case 'failed':
        return this.#fail(message.id, spawnFailure(message.error));
    }
  }

  #started(id: number, pending: Pending, stderr: Socket | undefined): void {
    const { pid, stdout } = pending;
    if (pid === undefined || stdout === undefined || stderr === undefined) {
      // A pipe did not arrive (out of descriptors here): the process runs unread, so it is stopped.
      if (pid !== undefined) stopUnread(pid);
      stdout?.destroy();
      stderr?.destroy();
      return this.#fail(id, new Error(`The output pipes of process ${pid} could not be received`));
    }
    const exit = new Promise<ExitStatus | undefined>((resolve) => (pending.exited = resolve));
    pending.started({ pid, stdout, stderr, exit });
  }

  #fail(id: number, error: Error): void {
    this.#pending.get(id)?.failed(error);
    this.#forget(id);
  }

  #forget(id: number): void {
    if (!this.#pending.delete(id)) return;
    if (this.#pending.size === 0) this.#process.channel?.unref();
  }

  #end(cause?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    const ended = new Error('The spawner process ended before the process started', { cause });
    for (const pending of this.#pending.values()) {
      if (pending.exited) {
        pending.exited(undefined);
        continue;
      }
      // Started, but its stderr pipe never came: nobody would read or stop it.
      if (pending.pid !== undefined) stopUnread(pending.pid);
      pending.stdout?.destroy();
      pending.failed(ended);
    }
    this.#pending.clear();
  }
}

/** An `Error` like the one Node's `spawn` gave in the spawner: `code`, `errno`, `syscall`, `path`. */
function spawnFailure(failure: SpawnFailure): Error {
  const { message, ...fields } = failure;
  return Object.assign(new Error(message), fields);
}

/** Kills the group of a process whose output nobody will read; it may be gone already. */
function stopUnread(pid: number): void {
  try {
    killProcessGroup(pid, 'SIGKILL');
  } catch {
    // EPERM: it is no longer ours to signal.
  }
}

let shared: Spawner | undefined;

/** The spawner of this process: started on first use, and again after one has ended. */
export function sharedSpawner(): Spawner {
  if (shared === undefined || !shared.running) shared = new Spawner();
  return shared;
}
