import { runProcess } from '../exec/index.js';
import { WorkspaceError } from './workspace-error.js';

/** How many last lines of a failed setup's output its error quotes. */
const SETUP_TAIL_LINES = 20;

/** Where and how a repository's `setup` command runs. */
export interface SetupContext {
  readonly repo: string;
  readonly jobId: string;
  /** The fresh checkout: the command's working directory. */
  readonly path: string;
  /** `0` means no limit. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** The environment the command inherits. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * Runs a repository's `setup` argv (e.g. `npm ci`) in a fresh checkout, never through a shell, with
 * `FLOTILLA_JOB_ID` and `FLOTILLA_WORKSPACE` in its environment. Resolves to its duration in
 * milliseconds. A failure or timeout rejects with `E_SETUP_FAILED` and the last lines of its output; a
 * cancel rejects with `signal.reason`.
 */
export async function runSetup(argv: readonly string[], context: SetupContext): Promise<number> {
  const { repo, jobId, path, timeoutMs, signal, env = process.env } = context;
  const result = await runProcess(argv, {
    cwd: path,
    env: { ...env, FLOTILLA_JOB_ID: jobId, FLOTILLA_WORKSPACE: path },
    timeoutMs,
    tailLines: SETUP_TAIL_LINES,
    ...(signal === undefined ? {} : { signal }),
  }).catch((error: unknown) => {
    if (signal?.aborted) throw signal.reason;
    throw new WorkspaceError(
      'E_SETUP_FAILED',
      `The setup command of repository "${repo}" (${argv.join(' ')}) could not start: ${String(error)}`,
      { cause: error },
    );
  });
  if (result.cancelled) throw signal?.reason ?? new Error('setup was cancelled');
  if (result.exitCode === 0 && !result.timedOut) return result.durationMs;
  const how = result.timedOut
    ? `timed out after ${timeoutMs} ms`
    : result.exitCode === null
      ? `was killed by ${String(result.signal)}`
      : `exited with code ${result.exitCode}`;
  const tail = result.tail.length === 0 ? '(no output)' : result.tail.join('\n');
  throw new WorkspaceError(
    'E_SETUP_FAILED',
    `The setup command of repository "${repo}" (${argv.join(' ')}) ${how} in ${path}; its output ended with:\n${tail}`,
  );
}
