import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServe } from '../helpers/cli.js';
import { initRepository } from '../helpers/git.js';

/** Each test spawns the CLI a few times; on a loaded machine one start takes seconds. */
const CLI_TEST_TIMEOUT_MS = 120_000;

/** The server's token in FLOTILLA_TOKEN, and one given by --token and kept under another name too. */
const ENV_TOKEN = 'env-tok-5d1e77-never-inherited';
const FLAG_TOKEN = 'flag-tok-a80b3c-never-inherited';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-secrets-cli-'));
  const source = join(dir, 'source');
  initRepository(source);
  // The agent and the verify command print their whole environment, after a line that tells them apart;
  // the setup command writes its own to a file.
  const config = `agents:
  envdump: { command: [sh, -c, 'echo agent-env; env'] }
repos:
  app:
    path: "${source}"
    setup: [sh, -c, 'env > "$0"', "${setupEnv()}"]
    verify: [sh, -c, 'echo verify-env; env']
`;
  writeFileSync(join(dir, 'flotilla.config.yaml'), config);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const home = () => join(dir, 'home');
const setupEnv = () => join(dir, 'setup-env.txt');

describe('what Flotilla starts never inherits the server’s token', () => {
  it(
    '`flotilla serve`: not its agents, not the setup and verify commands of their repositories',
    async () => {
      const url = await startServe(['--token', FLAG_TOKEN, '--home', home()], {
        cwd: dir,
        env: { FLOTILLA_TOKEN: ENV_TOKEN, DEPLOY_SECRET: FLAG_TOKEN, KEPT_VAR: 'kept' },
      });
      const submit = ['jobs', 'submit', '--server', url, '--token', FLAG_TOKEN, '--agent', 'envdump'];
      const waited = await runCli([...submit, '--repo', 'app', '--wait', 'x'], { cwd: dir });
      expect(waited.code).toBe(0);
      // Both printed their environment (the job's marker is in it), neither got a token.
      expect(waited.stdout).toMatch(/agent-env[\s\S]*FLOTILLA_JOB_ID=[\s\S]*verify-env[\s\S]*KEPT_VAR=kept/);
      expect(waited.stdout).not.toContain(FLAG_TOKEN);
      expect(waited.stdout).not.toContain(ENV_TOKEN);
      const setup = readFileSync(setupEnv(), 'utf8');
      expect(setup).toContain('KEPT_VAR=kept');
      expect(setup).not.toContain(FLAG_TOKEN);
      expect(setup).not.toContain(ENV_TOKEN);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    '`flotilla run`: not its shell steps, with an `env` of their own or without',
    async () => {
      const file = join(dir, 'env.yml');
      writeFileSync(
        file,
        `schema_version: 1
workflow: { id: env-dump }
steps:
  - { id: plain, type: shell, run: [env] }
  - { id: own, type: shell, run: [env], env: { STEP_VAR: mine } }
`,
      );
      const run = await runCli(['run', file, '--json', '--home', home()], {
        cwd: dir,
        env: { FLOTILLA_TOKEN: ENV_TOKEN, KEPT_VAR: 'kept' },
      });
      expect(run.code).toBe(0);
      const { steps } = JSON.parse(run.stdout) as { steps: Record<string, { output: { stdout: string } }> };
      for (const step of ['plain', 'own']) {
        expect(steps[step]?.output.stdout).toContain('KEPT_VAR=kept');
        expect(steps[step]?.output.stdout).not.toContain(ENV_TOKEN);
      }
      expect(steps['own']?.output.stdout).toContain('STEP_VAR=mine');
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
