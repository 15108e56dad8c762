import { FlotillaError } from '../core/index.js';
import { runProcess } from '../exec/index.js';

/** A fixed identity, so commits work on machines with no git config (CI, fresh containers). */
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Flotilla',
  GIT_AUTHOR_EMAIL: 'flotilla@localhost',
  GIT_COMMITTER_NAME: 'Flotilla',
  GIT_COMMITTER_EMAIL: 'flotilla@localhost',
};

/** Runs `git ARGS` in `cwd` and resolves to its stdout lines; a non-zero exit rejects with git's own words. */
export async function git(cwd: string, args: readonly string[], signal?: AbortSignal): Promise<string[]> {
  const stdout: string[] = [];
  const result = await runProcess(['git', ...args], {
    cwd,
    env: { ...process.env, ...GIT_IDENTITY },
    ...(signal === undefined ? {} : { signal }),
    onLine: (stream, line) => {
      if (stream === 'stdout') stdout.push(line);
    },
  });
  if (result.exitCode !== 0) {
    throw new FlotillaError(
      'E_GIT',
      `git ${args.join(' ')} failed in ${cwd}: ${result.tail.slice(-3).join(' | ')}`,
    );
  }
  return stdout;
}
