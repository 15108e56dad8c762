import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fixed identity and no system config, so test commits work on machines without any git config. */
export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** The test agent that works until the test writes GATE_DIR/JOB_ID (see the script). */
export const HOLD_AGENT = fileURLToPath(new URL('../fixtures/hold-agent.mjs', import.meta.url));

/** Runs git in `dir` and returns its trimmed stdout. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** Writes files (path → content) under `dir`, creating folders. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Makes `dir` a repository on `main` with `files` in one commit. */
export function initRepository(
  dir: string,
  files: Readonly<Record<string, string>> = { 'README.md': '# app\n' },
): void {
  writeFiles(dir, files);
  gitIn(dir, 'init', '--quiet', '--initial-branch=main');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '-m', 'init');
}
