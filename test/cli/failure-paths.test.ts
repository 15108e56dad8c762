import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServe, type CliResult } from '../helpers/cli.js';
import { initRepository } from '../helpers/git.js';

/** Each test spawns the CLI a few times; on a loaded machine one start takes seconds. */
const CLI_TEST_TIMEOUT_MS = 180_000;

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-failures-cli-'));
  initRepository(join(dir, 'source'));
  mkdirSync(join(dir, 'plain-folder'));
  const config = ['agents:', `  hi: { command: [sh, -c, 'echo hi'] }`, 'repos:', '  app: { path: source }'];
  writeFileSync(join(dir, 'flotilla.config.yaml'), config.join('\n'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI in the test's folder, on its own home, without FLOTILLA_DEBUG unless `env` sets it. */
const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  runCli([...args, '--home', join(dir, 'home')], { cwd: dir, env: { FLOTILLA_DEBUG: '', ...env } });
/** `flotilla exec --agent AGENT ... x`. */
const exec = (agent: string, ...args: string[]) => cli(['exec', '--agent', agent, ...args, 'x']);
/** `flotilla jobs ... --server URL`. */
const jobs = (url: string, ...args: string[]) => cli(['jobs', ...args, '--server', url]);

/** What a user sees of an expected failure: its line, never a stack trace or a JavaScript error. */
function expectNoTrace({ stdout, stderr }: CliResult): void {
  for (const text of [stdout, stderr]) {
    expect(text).not.toMatch(/^\s+at .+[:(]/m);
    expect(text).not.toMatch(/TypeError|ReferenceError|RangeError/);
  }
}

/** A refusal: exit `code` and its one line on stderr, holding `text`. */
function expectRefused(result: CliResult, code: number, text: string): void {
  expectNoTrace(result);
  expect(result.code).toBe(code);
  expect(result.stderr).toContain(text);
}

describe('failures that happen before the agent starts', () => {
  it(
    '`exec` of an unknown --ref and of a folder that is not a repository: the failure, exit 1',
    async () => {
      const ref = await exec('hi', '--repo', join(dir, 'source'), '--ref', 'nope');
      expectNoTrace(ref);
      expect(ref.code).toBe(1);
      expect(ref.stdout).toMatch(/✖ job_\w+ failed: Unknown ref "nope"/);

      const json = await exec('hi', '--repo', 'app', '--ref', 'nope', '--json');
      expect(json.code).toBe(1);
      // A job whose agent never ran has a whole result all the same: nothing ran, nothing changed.
      expect(JSON.parse(json.stdout)).toMatchObject({
        status: 'failed',
        result: { attempts: 0, output: '', changedFiles: [], branch: null, commit: null, fetchFrom: null },
      });

      const plain = await exec('hi', '--repo', join(dir, 'plain-folder'));
      expectNoTrace(plain);
      expect(plain.code).toBe(1);
      expect(plain.stdout).toMatch(/✖ job_\w+ failed: The repository at .*plain-folder cannot be read/);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    '`exec --agent` of an agent that is not configured: the error naming the field, exit 2',
    async () => {
      const unknown = await exec('nope');
      expectRefused(unknown, 2, 'agent: unknown agent "nope" (known: hi)');
      expect(unknown.stderr.split('\n')).toHaveLength(2);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    '`jobs show` and `jobs wait` of a job that failed before its agent, and of an unknown id',
    async () => {
      const url = await startServe(['--home', join(dir, 'home')], { cwd: dir });
      const submitted = await jobs(
        url,
        'submit',
        '--agent',
        'hi',
        '--repo',
        'app',
        '--ref',
        'nope',
        '--json',
        'x',
      );
      expect(submitted.code).toBe(0);
      const { id } = JSON.parse(submitted.stdout) as { id: string };

      const waited = await jobs(url, 'wait', id);
      expectNoTrace(waited);
      expect(waited.code).toBe(1);
      expect(waited.stdout).toContain(`✖ ${id} failed`);
      expect(waited.stdout).toContain('error    Unknown ref "nope"');

      const shown = await jobs(url, 'show', id);
      expectNoTrace(shown);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('error    Unknown ref "nope"');
      expect(shown.stdout).toMatch(/timings {2}queued/);

      for (const command of ['show', 'wait']) {
        const missing = await jobs(url, command, 'job_0000nothere');
        expectRefused(missing, 2, 'No job with id "job_0000nothere"');
      }

      // `--env` reaches the server's check: a name no request may set is refused, naming it.
      const env = await jobs(url, 'submit', '--agent', 'hi', '--env', 'NODE_OPTIONS=--require=x', 'x');
      expectRefused(env, 2, 'env.NODE_OPTIONS: never accepted from a request');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    '`run` of a missing file: the error, exit 2; FLOTILLA_DEBUG=1 adds the stack trace',
    async () => {
      const missing = await cli(['run', 'missing.yml']);
      expectRefused(missing, 2, 'flotilla: missing.yml: workflow file not found');
      expect(missing.stderr.split('\n')).toHaveLength(2);

      const debug = await cli(['run', 'missing.yml'], { FLOTILLA_DEBUG: '1' });
      expect(debug.code).toBe(2);
      expect(debug.stderr).toMatch(/^flotilla: missing\.yml: workflow file not found\n\w*Error: .*\n\s+at /);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
