import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliResult } from '../helpers/cli.js';
import { initRepository } from '../helpers/git.js';

/** Each test spawns the CLI a few times; on a loaded machine one start takes seconds. */
const CLI_TEST_TIMEOUT_MS = 180_000;

let dir = '';
let source = '';
let servers: ReturnType<typeof startCli>[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-failures-cli-'));
  source = join(dir, 'source');
  initRepository(source);
  mkdirSync(join(dir, 'plain-folder'));
  writeFileSync(
    join(dir, 'flotilla.config.yaml'),
    ['agents:', `  hi: { command: [sh, -c, 'echo hi'] }`, 'repos:', `  app: { path: "${source}" }`].join(
      '\n',
    ),
  );
  servers = [];
});
afterEach(() => {
  for (const server of servers) server.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const home = () => join(dir, 'home');
const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, { cwd: dir, env: { FLOTILLA_DEBUG: '', ...env } });

/** What a user sees of an expected failure: its line, never a stack trace or a JavaScript error. */
function expectNoTrace({ stdout, stderr }: CliResult): void {
  for (const text of [stdout, stderr]) {
    expect(text).not.toMatch(/^\s+at .+[:(]/m);
    expect(text).not.toMatch(/TypeError|ReferenceError|RangeError/);
  }
}

async function serve(): Promise<string> {
  const server = startCli(['serve', '--port', '0', '--home', home()], { cwd: dir });
  servers.push(server);
  await server.waitForOutput('listening on');
  return /listening on (http:\/\/\S+)/.exec(server.output())![1]!;
}

describe('failures that happen before the agent starts', () => {
  it(
    '`exec` of an unknown --ref and of a folder that is not a repository: the failure, exit 1',
    async () => {
      const ref = await cli([
        'exec',
        '--agent',
        'hi',
        '--repo',
        source,
        '--ref',
        'nope',
        '--home',
        home(),
        'x',
      ]);
      expectNoTrace(ref);
      expect(ref.code).toBe(1);
      expect(ref.stdout).toMatch(/✖ job_\w+ failed: Unknown ref "nope"/);

      const json = await cli([
        'exec',
        '--agent',
        'hi',
        '--repo',
        source,
        '--ref',
        'nope',
        '--json',
        '--home',
        home(),
        'x',
      ]);
      expect(json.code).toBe(1);
      // A job whose agent never ran has a whole result all the same: nothing ran, nothing changed.
      expect(JSON.parse(json.stdout)).toMatchObject({
        status: 'failed',
        result: { attempts: 0, output: '', changedFiles: [], branch: null, commit: null, fetchFrom: null },
      });

      const plain = await cli([
        'exec',
        '--agent',
        'hi',
        '--repo',
        join(dir, 'plain-folder'),
        '--home',
        home(),
        'x',
      ]);
      expectNoTrace(plain);
      expect(plain.code).toBe(1);
      expect(plain.stdout).toMatch(/✖ job_\w+ failed: The repository at .*plain-folder cannot be read/);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    '`exec --agent` of an agent that is not configured: the error naming the field, exit 2',
    async () => {
      const unknown = await cli(['exec', '--agent', 'nope', '--home', home(), 'x']);
      expectNoTrace(unknown);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe('flotilla: agent: unknown agent "nope" (known: hi)\n');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    '`jobs show` and `jobs wait` of a job that failed before its agent, and of an unknown id',
    async () => {
      const url = await serve();
      const submitted = await cli([
        'jobs',
        'submit',
        '--server',
        url,
        '--agent',
        'hi',
        '--repo',
        'app',
        '--ref',
        'nope',
        '--json',
        'x',
      ]);
      expect(submitted.code).toBe(0);
      const { id } = JSON.parse(submitted.stdout) as { id: string };

      const waited = await cli(['jobs', 'wait', id, '--server', url]);
      expectNoTrace(waited);
      expect(waited.code).toBe(1);
      expect(waited.stdout).toContain(`✖ ${id} failed`);
      expect(waited.stdout).toContain('error    Unknown ref "nope"');

      const shown = await cli(['jobs', 'show', id, '--server', url]);
      expectNoTrace(shown);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('error    Unknown ref "nope"');
      expect(shown.stdout).toMatch(/timings {2}queued/);

      for (const command of ['show', 'wait']) {
        const missing = await cli(['jobs', command, 'job_0000nothere', '--server', url]);
        expectNoTrace(missing);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain('No job with id "job_0000nothere"');
      }

      // `--env` reaches the server's check: a name no request may set is refused, naming it.
      const env = await cli([
        'jobs',
        'submit',
        '--server',
        url,
        '--agent',
        'hi',
        '--env',
        'NODE_OPTIONS=--require=x',
        'x',
      ]);
      expectNoTrace(env);
      expect(env.code).toBe(2);
      expect(env.stderr).toContain('env.NODE_OPTIONS: never accepted from a request');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    '`run` of a missing file: the error, exit 2; FLOTILLA_DEBUG=1 adds the stack trace',
    async () => {
      const missing = await cli(['run', 'missing.yml', '--home', home()]);
      expectNoTrace(missing);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe('flotilla: missing.yml: workflow file not found\n');

      const debug = await cli(['run', 'missing.yml', '--home', home()], { FLOTILLA_DEBUG: '1' });
      expect(debug.code).toBe(2);
      expect(debug.stderr).toMatch(/^flotilla: missing\.yml: workflow file not found\n\w*Error: .*\n\s+at /);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
