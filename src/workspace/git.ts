import { isAbsolute } from 'node:path';
import { InvalidArgumentError } from '../core/index.js';
import { runProcess } from '../exec/index.js';
import { WorkspaceError } from './workspace-error.js';

/** The identity of the commits Flotilla makes, set through the environment, never in a git config. */
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Flotilla',
  GIT_AUTHOR_EMAIL: 'flotilla@localhost',
  GIT_COMMITTER_NAME: 'Flotilla',
  GIT_COMMITTER_EMAIL: 'flotilla@localhost',
} as const;

/** Variables that would point git at another repository than the one we name with `-C`. */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_CEILING_DIRECTORIES',
];

/**
 * Settings for every call, whatever the user's global config says: no hooks (ours are plumbing, not the
 * user's workflow), no signing prompt, no automatic gc that would daemonize out of our process group or
 * run inside the repository lock.
 */
const FIXED_CONFIG = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'commit.gpgSign=false',
  '-c',
  'gc.auto=0',
  '-c',
  'maintenance.auto=false',
  '-c',
  'advice.detachedHead=false',
  '-c',
  'core.quotePath=false',
];

/** How many lines of a failed command's output its error quotes. */
const ERROR_TAIL_LINES = 5;

/** Options of one git call. */
export interface GitOptions {
  /** Cancels the call: the process group is stopped and the call rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Written to git's standard input. */
  readonly stdin?: string;
  /**
   * An index file of the caller's (an absolute path), set as `GIT_INDEX_FILE` for this call only: how the
   * planner builds commits in a repository without touching its own index. It is the one repository
   * variable a caller may set; the others stay stripped.
   */
  readonly indexFile?: string;
}

/** How a git call ended, when its exit code is for the caller to judge. */
export interface GitResult {
  readonly exitCode: number | null;
  /** Standard output, one entry per line. */
  readonly stdout: string[];
  /** The last lines of both streams, for error messages. */
  readonly tail: string[];
}

let environment: Record<string, string | undefined> | undefined;

/** `process.env` without the repository-locating variables, with the fixed identity; built once. */
function gitEnvironment(): Record<string, string | undefined> {
  if (environment !== undefined) return environment;
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...GIT_IDENTITY,
    GIT_TERMINAL_PROMPT: '0',
  };
  for (const name of REPOSITORY_VARIABLES) delete env[name];
  environment = env;
  return env;
}

/**
 * Runs `git -C dir ARGS` (argv, never a shell) and resolves however it exits; rejects only when it could
 * not start or when `signal` aborted it (with `signal.reason`).
 */
export async function gitRaw(
  dir: string,
  args: readonly string[],
  options: GitOptions = {},
): Promise<GitResult> {
  const stdout: string[] = [];
  const env =
    options.indexFile === undefined
      ? gitEnvironment()
      : { ...gitEnvironment(), GIT_INDEX_FILE: absoluteIndexFile(options.indexFile) };
  const result = await runProcess(['git', '-C', dir, ...FIXED_CONFIG, ...args], {
    env,
    tailLines: ERROR_TAIL_LINES,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    onLine: (stream, line) => {
      if (stream === 'stdout') stdout.push(line);
    },
  });
  if (result.cancelled) throw options.signal?.reason ?? new Error('git was cancelled');
  return { exitCode: result.exitCode, stdout, tail: result.tail };
}

/** `indexFile` checked: git resolves a relative one against the repository, not against our cwd. */
function absoluteIndexFile(indexFile: string): string {
  if (!isAbsolute(indexFile)) {
    throw new InvalidArgumentError(
      `Expected \`indexFile\` to be an absolute path, got ${JSON.stringify(indexFile)}`,
    );
  }
  return indexFile;
}

/** Like `gitRaw`, but a non-zero exit rejects with a `WorkspaceError` (`E_GIT`) quoting git's last words. */
export async function git(dir: string, args: readonly string[], options: GitOptions = {}): Promise<string[]> {
  const result = await gitRaw(dir, args, options);
  if (result.exitCode !== 0) throw gitFailure(dir, args, result);
  return result.stdout;
}

/** The error of a git call that exited with a failure. */
export function gitFailure(dir: string, args: readonly string[], result: GitResult): WorkspaceError {
  const words = result.tail.join(' | ') || `exit code ${String(result.exitCode)}`;
  return new WorkspaceError('E_GIT', `git ${args.join(' ')} failed in ${dir}: ${words}`);
}
