import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alive } from '../../test/helpers/processes.js';
import { suitesConfigSchema, type SuitesConfig } from '../config/index.js';
import { runSuites, type RunSuitesOptions, type SuitesRun } from './index.js';

const SCRIPT = fileURLToPath(new URL('../../test/fixtures/suites/scripted-suite.mjs', import.meta.url));

let dir = '';
let control = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-suites-'));
  control = join(dir, 'control');
  mkdirSync(control);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

type Mode = 'pass' | 'fail' | 'flaky' | 'crash' | 'lie' | 'silent' | 'hang';

/** A suite running the scripted suite in `mode`, its JUnit report in `{out}`. */
function scripted(name: string, mode: Mode, extra: Record<string, unknown> = {}): [string, unknown] {
  return [
    name,
    {
      command: [process.execPath, SCRIPT, name, mode, '{out}/junit.xml'],
      cwd: dir,
      report: { format: 'junit', path: '{out}/junit.xml' },
      ...extra,
    },
  ];
}

function config(suites: [string, unknown][], settings: Record<string, unknown> = {}): SuitesConfig {
  return suitesConfigSchema.parse({ ...settings, run: Object.fromEntries(suites) });
}

function run(suites: SuitesConfig, { env, ...options }: Partial<RunSuitesOptions> = {}): Promise<SuitesRun> {
  return runSuites({
    config: suites,
    evidenceDir: join(dir, 'evidence'),
    env: { PATH: process.env.PATH, CONTROL: control, ...env },
    killGraceMs: 200,
    ...options,
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 3000; turn++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const started = (name: string): boolean => existsSync(join(control, `${name}.started`));
const release = (name: string): void => writeFileSync(join(control, `${name}.go`), '');

describe('runSuites: scheduling', () => {
  it('runs suites at the same time and reports them in the declared order, whatever order they end in', async () => {
    const finished: string[] = [];
    const suites = [scripted('a', 'pass'), scripted('b', 'pass'), scripted('c', 'pass')];
    const running = run(config(suites, { max_workers: 3 }), {
      env: { HOLD: '1' },
      observer: { suiteFinished: (suite) => finished.push(suite.name) },
    });
    // All three are running before any may end: they run in parallel.
    await until(() => started('a') && started('b') && started('c'), 'three suites started');
    for (const name of ['c', 'b', 'a']) {
      release(name);
      await until(() => finished.includes(name), `${name} finished`);
    }
    const result = await running;
    expect(finished).toEqual(['c', 'b', 'a']);
    expect(result.suites.map((suite) => [suite.name, suite.status])).toEqual([
      ['a', 'passed'],
      ['b', 'passed'],
      ['c', 'passed'],
    ]);
    expect(result).toMatchObject({
      exitCode: 0,
      settings: { parallel: true, maxWorkers: 3, retries: 0, failFast: false },
      totals: { total: 6, passed: 6, failed: 0, skipped: 0, flaky: 0 },
    });
    expect(result.sumMs).toBeGreaterThanOrEqual(result.suites[0]!.durationMs);
  });

  it('runs one suite at a time with parallel: false, in the declared order', async () => {
    const running = run(config([scripted('a', 'pass'), scripted('b', 'pass')], { parallel: false }), {
      env: { HOLD: '1' },
    });
    await until(() => started('a'), 'a started');
    // b waits for a's slot: it cannot start while a is held.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(started('b')).toBe(false);
    release('a');
    await until(() => started('b'), 'b started');
    release('b');
    const result = await running;
    expect(result.settings).toMatchObject({ parallel: false, maxWorkers: 1 });
    expect(result.exitCode).toBe(0);
  });

  it('starts a suite once what it depends on passed, and skips it when that failed', async () => {
    const result = await run(
      config([
        scripted('build', 'fail'),
        scripted('unit', 'pass', { depends_on: ['build'] }),
        scripted('lint', 'pass'),
      ]),
    );
    expect(result.suites.map(({ name, status, error }) => ({ name, status, error }))).toEqual([
      { name: 'build', status: 'failed', error: '1 test failed' },
      { name: 'unit', status: 'skipped', error: 'depends on build, which ended failed' },
      { name: 'lint', status: 'passed', error: null },
    ]);
    expect(started('unit')).toBe(false);
    expect(result.exitCode).toBe(1);
  });

  it('stops running and waiting suites after the first failure with fail_fast', async () => {
    const running = run(
      config(
        [
          scripted('bad', 'fail', { env: { HOLD: '1' } }),
          scripted('slow', 'hang'),
          scripted('later', 'pass'),
        ],
        {
          fail_fast: true,
          max_workers: 2,
        },
      ),
    );
    await until(() => existsSync(join(control, 'slow.grandchild')), 'slow running');
    release('bad');
    const result = await running;
    expect(result.suites.map(({ name, status }) => [name, status])).toEqual([
      ['bad', 'failed'],
      ['slow', 'cancelled'],
      ['later', 'skipped'],
    ]);
    expect(result.suites[1]!.error).toBe('stopped by fail_fast after bad failed');
    expect(started('later')).toBe(false);
    const grandchild = Number(readFileSync(join(control, 'slow.grandchild'), 'utf8'));
    expect(alive(grandchild)).toBe(false);
  });
});

describe('runSuites: a failing suite never stops the others', () => {
  it('keeps a crash, a missing binary, a lying exit and a hang each to itself; none of their processes is left', async () => {
    const result = await run(
      config([
        scripted('crash', 'crash'),
        [
          'missing',
          { command: ['no-such-test-runner-xyz', 'run'], report: { format: 'junit', path: '{out}/r.xml' } },
        ],
        scripted('lie', 'lie'),
        scripted('hang', 'hang', { timeout_s: 1 }),
        scripted('fine', 'pass'),
      ]),
    );
    const byName = Object.fromEntries(result.suites.map((suite) => [suite.name, suite]));
    expect(byName['crash']).toMatchObject({
      status: 'error',
      error: 'exit code 3, and wrote no report at {out}/junit.xml',
    });
    expect(byName['missing']!.status).toBe('error');
    expect(byName['missing']!.error).toMatch(/^could not start: .*no-such-test-runner-xyz/);
    expect(byName['lie']).toMatchObject({
      status: 'error',
      error: 'exit code 7, though its report has no failures (a crash?)',
    });
    expect(byName['hang']).toMatchObject({ status: 'timed_out', error: 'timed out after 1 s' });
    expect(byName['fine']!.status).toBe('passed');
    expect(result.exitCode).toBe(1);
    // The hanging suite's grandchild died with its process group.
    const grandchild = Number(readFileSync(join(control, 'hang.grandchild'), 'utf8'));
    expect(grandchild).toBeGreaterThan(1);
    expect(alive(grandchild)).toBe(false);
  });

  it('never reads a report the attempt did not write: a stale one is no_report', async () => {
    const stale = join(dir, 'report.xml');
    writeFileSync(
      stale,
      '<testsuites><testsuite name="old" tests="1"><testcase classname="old" name="passed long ago"/></testsuite></testsuites>',
    );
    const result = await run(
      config(
        [
          [
            'silent',
            {
              command: [process.execPath, SCRIPT, 'silent', 'silent'],
              cwd: dir,
              report: { format: 'junit', path: 'report.xml' },
            },
          ],
          [
            'fresh',
            {
              command: [process.execPath, SCRIPT, 'fresh', 'pass', stale],
              cwd: dir,
              report: { format: 'junit', path: 'report.xml' },
            },
          ],
        ],
        { parallel: false },
      ),
    );
    expect(result.suites.map(({ name, status, error }) => ({ name, status, error }))).toEqual([
      {
        name: 'silent',
        status: 'no_report',
        error: 'exited 0 but left report.xml as it was before the attempt (a stale report is never read)',
      },
      { name: 'fresh', status: 'passed', error: null },
    ]);
    expect(result.suites[1]!.counts).toMatchObject({ total: 2, passed: 2 });
  });
});

describe('runSuites: retries', () => {
  it('calls a suite that failed, then passed, flaky; keeps every attempt as evidence; exits 0', async () => {
    const result = await run(
      config([scripted('wobbly', 'flaky'), scripted('solid', 'fail')], { retries: 2 }),
    );
    const [wobbly, solid] = result.suites;
    expect(wobbly).toMatchObject({ status: 'flaky', counts: { total: 2, passed: 1, flaky: 1, failed: 0 } });
    expect(wobbly!.attempts.map((attempt) => attempt.status)).toEqual(['failed', 'passed']);
    expect(wobbly!.tests.find((test) => test.status === 'flaky')).toMatchObject({
      titlePath: ['second works'],
      outcomes: ['failed', 'passed'],
      message: expect.stringContaining('expected 1 to be 2') as string,
    });
    // Failing every time: three attempts, each in its own folder with its own fresh {out}.
    expect(solid!.status).toBe('failed');
    expect(solid!.attempts).toHaveLength(3);
    expect(
      readdirSync(join(dir, 'evidence', 'suites', 'solid'))
        .filter((entry) => entry.startsWith('attempt-'))
        .sort(),
    ).toEqual(['attempt-1', 'attempt-2', 'attempt-3']);
    expect(result.exitCode).toBe(1);
  });

  it('exits 0 when every suite passed or was flaky', async () => {
    const result = await run(config([scripted('wobbly', 'flaky')], { retries: 1 }));
    expect(result.exitCode).toBe(0);
    expect(result.suites[0]!.status).toBe('flaky');
  });
});

describe('runSuites: cancel', () => {
  it('stops every running suite on abort, its tree killed, and reports them cancelled', async () => {
    const controller = new AbortController();
    const running = run(config([scripted('a', 'hang'), scripted('b', 'hang')]), {
      signal: controller.signal,
    });
    await until(
      () => existsSync(join(control, 'a.grandchild')) && existsSync(join(control, 'b.grandchild')),
      'both grandchildren',
    );
    controller.abort(new Error('Ctrl-C'));
    const result = await running;
    expect(result.suites.map((suite) => suite.status)).toEqual(['cancelled', 'cancelled']);
    for (const name of ['a', 'b']) {
      expect(alive(Number(readFileSync(join(control, `${name}.grandchild`), 'utf8')))).toBe(false);
    }
  });
});

describe('runSuites: an aborted signal', () => {
  it('starts nothing and reports every suite cancelled', async () => {
    const result = await run(config([scripted('a', 'pass'), scripted('b', 'pass')]), {
      signal: AbortSignal.abort(new Error('Ctrl-C')),
    });
    expect(result.suites.map(({ status, error }) => [status, error])).toEqual([
      ['cancelled', 'cancelled before it started'],
      ['cancelled', 'cancelled before it started'],
    ]);
    expect(started('a') || started('b')).toBe(false);
  });
});

describe('runSuites: bad input', () => {
  it('names an unknown suite and changes nothing', async () => {
    await expect(run(config([scripted('a', 'pass')]), { only: ['b'] })).rejects.toThrow(
      'unknown suite "b" (expected one of: a)',
    );
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });
});
