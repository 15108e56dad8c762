import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlotillaError } from '../core/index.js';
import { runProcess } from '../exec/index.js';

/** A fixed identity, so the commit works on machines with no git config (CI, fresh containers). */
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Flotilla demo',
  GIT_AUTHOR_EMAIL: 'demo@flotilla.invalid',
  GIT_COMMITTER_NAME: 'Flotilla demo',
  GIT_COMMITTER_EMAIL: 'demo@flotilla.invalid',
};

async function git(cwd: string, args: readonly string[], signal?: AbortSignal): Promise<void> {
  const result = await runProcess(['git', ...args], {
    cwd,
    env: { ...process.env, ...GIT_IDENTITY },
    ...(signal === undefined ? {} : { signal }),
  });
  if (result.exitCode !== 0) {
    throw new FlotillaError(
      'E_GIT',
      `git ${args.join(' ')} failed in ${cwd}: ${result.tail.slice(-3).join(' | ')}`,
    );
  }
}

/** The files of the small project the demo's agents work on. */
const FILES: Record<string, string> = {
  'README.md': '# shipyard\n\nA tiny project for the Flotilla demo.\n',
  'CHANGELOG.md': '# Changelog\n\n',
  'src/greet.js': 'export const greet = (name) => `Hello, ${name}!`;\n',
  'src/math.js': 'export const add = (a, b) => a + b;\n',
  'test/greet.test.js':
    "import { greet } from '../src/greet.js';\nconsole.assert(greet('a') === 'Hello, a!');\n",
};

/** Creates a git repository with one commit on `main` at `dir`. */
export async function createDemoRepository(dir: string, signal?: AbortSignal): Promise<void> {
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  await git(dir, ['init', '--quiet', '--initial-branch=main'], signal);
  await git(dir, ['add', '--all'], signal);
  await git(dir, ['commit', '--quiet', '--message', 'Initial commit'], signal);
}
