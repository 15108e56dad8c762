import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { alive } from '../helpers/processes.js';

/** Each test runs real test runners (Node's, Vitest) through the spawned CLI: seconds each on this machine. */
const TIMEOUT_MS = 180_000;
const VITEST = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  '..',
  '.bin',
  'vitest',
);

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-suites-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  runCli([...args, '--home', join(dir, 'home')], { cwd: dir, env: { FLOTILLA_DEBUG: '' } });

/** A project with a Node test runner suite and a Vitest suite, each with a test that fails on its first run only. */
function project(): void {
  mkdirSync(join(dir, 'api'));
  writeFileSync(
    join(dir, 'api', 'api.test.mjs'),
    `import { test } from 'node:test';
import assert from 'node:assert';
import { existsSync, writeFileSync } from 'node:fs';
test('answers ping', () => assert.equal(1 + 1, 2));
test('survives a cold cache', () => {
  const seen = new URL('./cold.seen', import.meta.url);
  if (!existsSync(seen)) { writeFileSync(seen, ''); assert.fail('cold cache'); }
});
test.skip('talks to the real payment provider', () => {});
`,
  );
  mkdirSync(join(dir, 'web'));
  writeFileSync(
    join(dir, 'web', 'vitest.config.mjs'),
    'export default { test: { include: ["*.test.mjs"] } };\n',
  );
  writeFileSync(
    join(dir, 'web', 'ui.test.mjs'),
    `import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
describe('button (primary)', () => {
  it('renders', () => expect(1).toBe(1));
  it('clicks once [debounced]', () => {
    const seen = new URL('./flake.seen', import.meta.url);
    if (!existsSync(seen)) { writeFileSync(seen, ''); expect('first click').toBe('debounced'); }
  });
});
`,
  );
  writeFileSync(
    join(dir, 'flotilla.config.yaml'),
    [
      'suites:',
      '  retries: 1',
      '  run:',
      '    api:',
      '      command: [node, --test, --test-reporter=junit, "--test-reporter-destination={out}/junit.xml", api/api.test.mjs]',
      '      report: { format: junit, path: "{out}/junit.xml" }',
      '    web:',
      `      command: [${VITEST}, run, --root, web, --reporter=junit, "--outputFile={out}/junit.xml"]`,
      '      report: { format: junit, path: "{out}/junit.xml" }',
      '    crash:',
      '      command: [node, -e, "console.log(\'booting\'); process.exit(3)"]',
      '      report: { format: junit, path: "{out}/junit.xml" }',
      '      enabled: false',
    ].join('\n'),
  );
}

interface RunJson {
  exitCode: number;
  evidenceDir: string;
  suites: {
    name: string;
    status: string;
    counts: Record<string, number>;
    attempts: { filtered: boolean; tests: unknown[] }[];
  }[];
  history: { flaky: { testId: string; flakeRate: number }[] } | null;
}

describe('flotilla suites', () => {
  it(
    'runs a Node test runner suite and a Vitest suite in parallel; flaky tests retried alone; evidence complete',
    async () => {
      project();
      const result = await cli('suites', '--json');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0); // flaky passes
      const run = JSON.parse(result.stdout) as RunJson;
      expect(run.suites.map((suite) => [suite.name, suite.status])).toEqual([
        ['api', 'flaky'],
        ['web', 'flaky'],
      ]);
      expect(run.suites[0]!.counts).toMatchObject({ passed: 1, flaky: 1, skipped: 1, failed: 0 });
      expect(run.suites[1]!.counts).toMatchObject({ passed: 1, flaky: 1, failed: 0 });
      // The retry ran only the test that failed (the runners take a filter).
      for (const suite of run.suites) {
        expect(suite.attempts.map((attempt) => attempt.filtered)).toEqual([false, true]);
      }

      const evidence = run.evidenceDir;
      for (const file of ['manifest.json', 'results.ctrf.json', 'junit.xml', 'summary.md']) {
        expect(existsSync(join(evidence, file)), file).toBe(true);
      }
      for (const path of ['api/stdout.log', 'api/attempt-1', 'api/attempt-2', 'web/attempt-2']) {
        expect(existsSync(join(evidence, 'suites', path)), path).toBe(true);
      }
      const manifest = JSON.parse(readFileSync(join(evidence, 'manifest.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(manifest).toMatchObject({ exit_code: 0 });
      const ctrf = JSON.parse(readFileSync(join(evidence, 'results.ctrf.json'), 'utf8')) as {
        results: { summary: Record<string, number>; tests: { name: string; flaky?: boolean }[] };
      };
      expect(ctrf.results.summary).toMatchObject({ tests: 5, passed: 4, failed: 0, skipped: 1 });
      expect(ctrf.results.tests.filter((test) => test.flaky === true)).toHaveLength(2);
      const junit = new XMLParser({ ignoreAttributes: false }).parse(
        readFileSync(join(evidence, 'junit.xml'), 'utf8'),
      ) as Record<string, unknown>;
      expect(junit).toHaveProperty('testsuites');

      // A second run: the flaky tests' history shows.
      rmSync(join(dir, 'api', 'cold.seen'));
      const again = JSON.parse((await cli('suites', '--json')).stdout) as RunJson;
      // api's test was flaky in both runs, web's in the first only.
      expect(again.history?.flaky.map(({ testId, flakeRate }) => [testId, flakeRate])).toEqual([
        ['test › survives a cold cache', 1],
        [expect.stringContaining('clicks once [debounced]'), 0.5],
      ]);
    },
    TIMEOUT_MS,
  );

  it(
    'prints live output prefixed by suite and a final table; a crashing suite named on the command line exits 1',
    async () => {
      project();
      const result = await cli('suites', 'api', 'crash', '--retries', '0', '--sequential');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^crash\s+│ booting$/m);
      expect(result.stdout).toMatch(/SUITE\s+STATUS\s+PASSED\s+FAILED\s+SKIPPED\s+FLAKY\s+ATTEMPTS\s+TIME/);
      expect(result.stdout).toMatch(/✖ api\s+failed\s+1\s+1\s+1\s+0\s+1/);
      expect(result.stdout).toMatch(/✖ crash\s+error\s+—.*exit code 3, and wrote no report/);
      expect(result.stdout).toMatch(/Time: .* wall · .* of suites · [\d.]+× speed-up \(sequential\)/);
      expect(result.stdout).toMatch(/Evidence: .*suites_/);
    },
    TIMEOUT_MS,
  );

  it(
    'Ctrl-C stops the running suites with their process trees, writes the evidence, exits 130',
    async () => {
      writeFileSync(
        join(dir, 'flotilla.config.yaml'),
        ['suites:', '  run:', "    hang: { command: [sh, -c, 'sleep 1000 & echo $!; wait'] }"].join('\n'),
      );
      const cliRun = startCli(['suites', '--home', join(dir, 'home')], { cwd: dir });
      await cliRun.waitForOutput('hang │ ');
      const grandchild = Number(/hang │ (\d+)/.exec(cliRun.output())![1]);
      cliRun.child.kill('SIGINT');
      const result = await cliRun.done;
      expect(result.code).toBe(130);
      expect(result.stdout).toMatch(/■ hang\s+cancelled/);
      expect(alive(grandchild)).toBe(false);
      const evidence = /Evidence: (\S+)/.exec(result.stdout)![1]!;
      expect(existsSync(join(evidence, 'manifest.json'))).toBe(true);
    },
    TIMEOUT_MS,
  );

  it(
    'refuses what it cannot run: no suites, an unknown name, a bad flag — exit 2, one line',
    async () => {
      const none = await cli('suites');
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/no suites configured .*add them under suites.run/);
      project();
      const unknown = await cli('suites', 'nope');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown suite "nope" (expected one of: api, web, crash)');
      const flag = await cli('suites', '--max-workers', '0');
      expect(flag.code).toBe(2);
      expect(flag.stderr).toContain('--max-workers expects an integer ≥ 1, got "0"');
    },
    TIMEOUT_MS,
  );

  it(
    'runs as a workflow step: its output is the summary, and it fails the run when a suite fails',
    async () => {
      project();
      writeFileSync(
        join(dir, 'tests.yml'),
        [
          'schema_version: 1',
          'workflow: { id: tests }',
          'steps:',
          '  - { id: check, type: suites, suites: [api], retries: 1 }',
          '  - { id: after, type: shell, run: [echo, "{{ steps.check.output.suites[0].status }}"] }',
        ].join('\n'),
      );
      const result = await cli('run', 'tests.yml', '--json');
      expect(result.code).toBe(0);
      const view = JSON.parse(result.stdout) as {
        steps: Record<string, { output: { stdout?: string; exit_code?: number } }>;
      };
      expect(view.steps['check']!.output.exit_code).toBe(0);
      expect(view.steps['after']!.output.stdout).toBe('flaky');

      writeFileSync(
        join(dir, 'broken.yml'),
        [
          'schema_version: 1',
          'workflow: { id: broken }',
          'steps:',
          '  - { id: check, type: suites, suites: [crash] }',
        ].join('\n'),
      );
      const broken = await cli('run', 'broken.yml');
      expect(broken.code).toBe(1);
      expect(broken.stdout + broken.stderr).toMatch(/crash error/);
    },
    TIMEOUT_MS,
  );
});
