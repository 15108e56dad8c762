import { FlotillaError } from '../core/index.js';

/** Human words for the errno codes a failed spawn usually carries. */
const SPAWN_ERRNO_HINTS: Readonly<Record<string, string>> = {
  ENOENT: 'no such command (or the working directory does not exist)',
  EACCES: 'permission denied (is the file executable?)',
  ENOTDIR: 'a part of the path is not a directory',
  EMFILE: 'too many open files',
  EAGAIN: 'the system cannot start more processes now',
};

/**
 * A child process could not be started at all (command not found, not executable, missing working
 * directory, out of resources). Nothing ran. The errno error is the `cause`.
 */
export class SpawnError extends FlotillaError {
  /** The command that could not be started (`argv[0]`). */
  readonly command: string;
  /** The errno code of the failure, such as `ENOENT`, when there is one. */
  readonly errno: string | undefined;

  constructor(command: string, cwd: string | undefined, cause: unknown) {
    const errno = errnoOf(cause);
    const hint = errno === undefined ? undefined : SPAWN_ERRNO_HINTS[errno];
    const reason = [errno, hint].filter(Boolean).join(': ') || String(cause);
    const where = cwd === undefined ? '' : ` in ${JSON.stringify(cwd)}`;
    super('E_SPAWN', `Could not start ${JSON.stringify(command)}${where}: ${reason}`, { cause });
    this.command = command;
    this.errno = errno;
  }
}

/**
 * The spawner process (see `spawner.ts`) ended while a process it had started was running: its exit
 * status can no longer be known. Its process group has been stopped.
 */
export class ProcessLostError extends FlotillaError {
  /** The process id, which is also the id of its process group. */
  readonly pid: number;

  constructor(command: string, pid: number) {
    super(
      'E_PROCESS_LOST',
      `Lost ${JSON.stringify(command)} (pid ${pid}): the spawner process that started it ended, so its exit status is unknown; its process group was stopped`,
    );
    this.pid = pid;
  }
}

/** The `code` of a Node.js system error (`ENOENT`, `ESRCH`, …), or `undefined`. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
