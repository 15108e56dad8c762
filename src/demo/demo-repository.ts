import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from './git.js';

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
