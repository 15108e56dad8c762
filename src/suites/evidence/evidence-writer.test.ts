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
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import type { CtrfReport } from './ctrf.js';
import { EvidenceWriter } from './evidence-writer.js';
import type { EvidenceManifest } from './manifest.js';
import { attempt, sampleRun } from './fixtures/suite-results.js';
import { parseXml } from './fixtures/xml-reader.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'flotilla-evidence-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
const read = (...parts: string[]): string => readFileSync(join(root, 'ev', ...parts), 'utf8');
const lines = (...parts: string[]): string[] =>
  read(...parts)
    .split('\n')
    .slice(0, -1);
/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('EvidenceWriter.create', () => {
  it('makes the folder and its parents, or takes an empty one', async () => {
    const writer = await EvidenceWriter.create(join(root, 'a', 'b'));
    expect(writer.dir).toBe(join(root, 'a', 'b'));
    expect(existsSync(join(root, 'a', 'b', 'suites'))).toBe(true);
    mkdirSync(join(root, 'empty'));
    await expect(EvidenceWriter.create(join(root, 'empty'))).resolves.toBeInstanceOf(EvidenceWriter);
  });

  it('refuses a folder that is not empty, and a file, touching nothing', async () => {
    mkdirSync(join(root, 'used'));
    writeFileSync(join(root, 'used', 'manifest.json'), '{}');
    const error = await rejection(EvidenceWriter.create(join(root, 'used')));
    expect(hasCode(error, 'E_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/not empty \(it holds manifest\.json\)/);
    expect(readdirSync(join(root, 'used'))).toEqual(['manifest.json']);
    writeFileSync(join(root, 'file'), 'x');
    const file = await rejection(EvidenceWriter.create(join(root, 'file')));
    expect((file as Error).message).toMatch(/not a folder/);
  });

  it('refuses bad options before making anything', async () => {
    await expect(EvidenceWriter.create(join(root, 'x'), { flushChars: 0 })).rejects.toThrow(/flushChars/);
    expect(existsSync(join(root, 'x'))).toBe(false);
  });

  it('gives an empty folder to one of two writers asking at once', async () => {
    mkdirSync(join(root, 'race'));
    const results = await Promise.allSettled([
      EvidenceWriter.create(join(root, 'race')),
      EvidenceWriter.create(join(root, 'race')),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('EvidenceWriter.attemptDir', () => {
  it('makes suites/<name>/attempt-N and its out folder', async () => {
    const writer = await EvidenceWriter.create(join(root, 'ev'));
    const paths = writer.attemptDir('unit', 2);
    expect(paths).toEqual({
      dir: join(root, 'ev', 'suites', 'unit', 'attempt-2'),
      outDir: join(root, 'ev', 'suites', 'unit', 'attempt-2', 'out'),
      relativeDir: 'suites/unit/attempt-2',
    });
    expect(existsSync(paths.outDir)).toBe(true);
    expect(writer.attemptDir('unit', 2)).toEqual(paths);
  });

  it.each(['../x', 'a/b', 'a..b', '', '1abc', '.hidden', 'a b', 'x'.repeat(201)])(
    'refuses the suite name %j',
    async (name) => {
      const writer = await EvidenceWriter.create(join(root, 'ev'));
      expect(
        hasCode(
          thrown(() => writer.attemptDir(name, 1)),
          'E_INVALID_ARGUMENT',
        ),
      ).toBe(true);
      expect(() => writer.line(name, 1, 'stdout', 'x')).toThrow(/cannot name an evidence folder/);
    },
  );

  it('refuses an attempt below 1', async () => {
    const writer = await EvidenceWriter.create(join(root, 'ev'));
    expect(() => writer.attemptDir('unit', 0)).toThrow(/attempt number/);
    expect(() => writer.attemptDir('unit', 1.5)).toThrow(/attempt number/);
  });
});

describe('EvidenceWriter.line', () => {
  it('keeps each suite’s order when suites write at once, across batches and attempts', async () => {
    // A tiny batch size, so the logs are written in many appends while the suites interleave.
    const writer = await EvidenceWriter.create(join(root, 'ev'), { flushChars: 64, flushIntervalMs: 1 });
    const suites = ['alpha', 'beta', 'gamma'];
    const count = 300;
    const produce = async (suite: string, attemptNo: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        writer.line(suite, attemptNo, i % 3 === 0 ? 'stderr' : 'stdout', `${suite} ${attemptNo} line ${i}`);
        // Yield at irregular points, so the producers interleave differently each turn.
        if ((i * (suite.length + attemptNo)) % 7 === 0) await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all(suites.map((suite) => produce(suite, 1)));
    await Promise.all(suites.map((suite) => produce(suite, 2)));
    await writer.flush();
    const expected = (suite: string, attemptNo: number): string[] =>
      Array.from({ length: count }, (_, i) => `${suite} ${attemptNo} line ${i}`);
    for (const suite of suites) {
      expect(lines('suites', suite, 'attempt-1', 'output.log')).toEqual(expected(suite, 1));
      expect(lines('suites', suite, 'attempt-2', 'output.log')).toEqual(expected(suite, 2));
      expect(lines('suites', suite, 'stdout.log')).toEqual([
        ...expected(suite, 1),
        `--- attempt 2 (suites/${suite}/attempt-2/output.log) ---`,
        ...expected(suite, 2),
      ]);
    }
  });

  it('writes what waits after the flush interval, without being asked', async () => {
    const writer = await EvidenceWriter.create(join(root, 'ev'), { flushIntervalMs: 5 });
    writer.line('unit', 1, 'stdout', 'hello');
    const deadline = Date.now() + 5_000;
    while (!existsSync(join(root, 'ev', 'suites', 'unit', 'stdout.log')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await writer.flush();
    expect(read('suites', 'unit', 'stdout.log')).toBe('hello\n');
  });
});

describe('EvidenceWriter.attemptFinished', () => {
  it('writes attempt.json and copies the report in; one already in the folder stays', async () => {
    const writer = await EvidenceWriter.create(join(root, 'ev'));
    writer.attemptDir('unit', 1);
    writer.line('unit', 1, 'stdout', 'out line');
    writer.line('unit', 1, 'stderr', 'err line');
    writeFileSync(join(root, 'report.xml'), '<testsuites/>');
    const result = attempt('unit', 1, 'failed', []);
    await expect(writer.attemptFinished('unit', result, join(root, 'report.xml'))).resolves.toBe(
      'suites/unit/attempt-1/report.xml',
    );
    expect(read('suites', 'unit', 'attempt-1', 'report.xml')).toBe('<testsuites/>');
    expect(JSON.parse(read('suites', 'unit', 'attempt-1', 'attempt.json'))).toEqual({
      ...result,
      outputLines: { stdout: 1, stderr: 1 },
    });
    // The attempt's lines are on disk once it is finished.
    expect(read('suites', 'unit', 'attempt-1', 'output.log')).toBe('out line\nerr line\n');

    const second = writer.attemptDir('unit', 2);
    const inside = join(second.outDir, 'r.json');
    writeFileSync(inside, '{}');
    await expect(writer.attemptFinished('unit', attempt('unit', 2, 'passed', []), inside)).resolves.toBe(
      'suites/unit/attempt-2/out/r.json',
    );
    // Not copied beside attempt.json: it is in the folder already.
    expect(readdirSync(second.dir).sort()).toEqual(['attempt.json', 'out']);
  });

  it('renames a report that would take one of the attempt’s own names, copies a folder, skips a missing one', async () => {
    const writer = await EvidenceWriter.create(join(root, 'ev'));
    writeFileSync(join(root, 'attempt.json'), '{"report":true}');
    await expect(
      writer.attemptFinished('unit', attempt('unit', 1, 'passed', []), join(root, 'attempt.json')),
    ).resolves.toBe('suites/unit/attempt-1/report-attempt.json');
    expect(JSON.parse(read('suites', 'unit', 'attempt-1', 'attempt.json'))).toHaveProperty('attempt', 1);
    await expect(
      writer.attemptFinished('lint', attempt('lint', 1, 'no_report', []), join(root, 'nope.xml')),
    ).resolves.toBeNull();
    mkdirSync(join(root, 'html', 'data'), { recursive: true });
    writeFileSync(join(root, 'html', 'data', 'index.json'), '[]');
    await expect(
      writer.attemptFinished('e2e', attempt('e2e', 1, 'passed', []), join(root, 'html')),
    ).resolves.toBe('suites/e2e/attempt-1/html');
    expect(read('suites', 'e2e', 'attempt-1', 'html', 'data', 'index.json')).toBe('[]');
  });
});

describe('EvidenceWriter.finish', () => {
  async function finishedSample(): Promise<{ manifest: EvidenceManifest; writer: EvidenceWriter }> {
    const run = sampleRun();
    const writer = await EvidenceWriter.create(join(root, 'ev'), { env: { GITHUB_ACTIONS: 'true' } });
    for (const suite of run.suites) {
      for (const a of suite.attempts) {
        writer.attemptDir(suite.name, a.attempt);
        writer.line(suite.name, a.attempt, 'stdout', `${suite.name} attempt ${a.attempt}`);
        await writer.attemptFinished(suite.name, a);
      }
    }
    const history = {
      flaky: [{ suite: 'unit', testId: 'src/a.test.ts › math › divides', flakeRate: 0.25, runs: 20 }],
      slowest: [{ suite: 'e2e', testId: 'tests/login.spec.ts › logout', medianMs: 1_234, runs: 20 }],
    };
    const manifest = await writer.finish({ ...run, history });
    return { manifest, writer };
  }

  it('writes the manifest, the CTRF report, the JUnit file and the summary, and no temporary file', async () => {
    const { manifest } = await finishedSample();
    expect(tree(join(root, 'ev'))).toEqual([
      'junit.xml',
      'manifest.json',
      'results.ctrf.json',
      'suites/e2e/attempt-1/attempt.json',
      'suites/e2e/attempt-1/output.log',
      'suites/e2e/attempt-2/attempt.json',
      'suites/e2e/attempt-2/output.log',
      'suites/e2e/stdout.log',
      'suites/lint/attempt-1/attempt.json',
      'suites/lint/attempt-1/output.log',
      'suites/lint/stdout.log',
      'suites/unit/attempt-1/attempt.json',
      'suites/unit/attempt-1/output.log',
      'suites/unit/attempt-2/attempt.json',
      'suites/unit/attempt-2/output.log',
      'suites/unit/stdout.log',
      'summary.md',
    ]);
    expect(existsSync(join(root, 'ev', 'suites', 'docs'))).toBe(true);
    expect(JSON.parse(read('manifest.json'))).toEqual(manifest);
    const ctrf = JSON.parse(read('results.ctrf.json')) as CtrfReport;
    expect(ctrf.results.summary).toMatchObject({ tests: 7, passed: 3, failed: 2, skipped: 2, flaky: 1 });
    expect(parseXml(read('junit.xml')).name).toBe('testsuites');
  });

  it('records the run, its environment, settings, suites, totals and history in the manifest', async () => {
    const { manifest } = await finishedSample();
    expect(manifest).toMatchObject({
      format: 'flotilla-suites-evidence',
      run_id: 'run_1',
      wall_ms: 2_500,
      sum_ms: 5_000,
      speedup: 2,
      settings: { parallel: true, max_workers: 4, retries: 1, fail_fast: true },
      totals: {
        suites: {
          passed: 0,
          failed: 1,
          flaky: 1,
          no_report: 1,
          skipped: 1,
          timed_out: 0,
          error: 0,
          cancelled: 0,
        },
        tests: { total: 5, passed: 2, failed: 1, skipped: 1, flaky: 1 },
      },
      history: {
        flaky: [{ suite: 'unit', test_id: 'src/a.test.ts › math › divides', flake_rate: 0.25, runs: 20 }],
        slowest: [{ suite: 'e2e', test_id: 'tests/login.spec.ts › logout', median_ms: 1_234, runs: 20 }],
      },
      exit_code: 1,
    });
    expect(manifest.environment).toMatchObject({
      node: process.version,
      cwd: process.cwd(),
      ci: 'github-actions',
    });
    expect(manifest.environment.flotilla_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.suites.map((s) => [s.name, s.status, s.attempts, s.stdout_log])).toEqual([
      ['unit', 'flaky', 2, 'suites/unit/stdout.log'],
      ['e2e', 'failed', 2, 'suites/e2e/stdout.log'],
      ['lint', 'no_report', 1, 'suites/lint/stdout.log'],
      ['docs', 'skipped', 0, null],
    ]);
    expect(manifest.suites[0]).toMatchObject({
      counts: { total: 3, passed: 1, failed: 0, skipped: 1, flaky: 1 },
      duration_ms: 2_000,
      attempt_dirs: ['suites/unit/attempt-1', 'suites/unit/attempt-2'],
    });
  });

  it('writes a summary whose links all lead to files of the folder', async () => {
    await finishedSample();
    const summary = read('summary.md');
    expect(summary).toContain('# Flotilla suites: failed (exit code 1)');
    expect(summary).toContain('Wall time: 2.5 s; sum of suite times: 5.0 s; speed-up: 2.00×');
    expect(summary).toContain(
      '| unit | **flaky** | 1 | 0 | 1 | 1 | 2 | 2.0 s | [all](suites/unit/stdout.log) · ' +
        '[1](suites/unit/attempt-1/output.log) · [2](suites/unit/attempt-2/output.log) |',
    );
    expect(summary).toContain('| docs | **skipped** | — | — | — | — | 0 | 0 ms | — |');
    expect(summary).toContain('## Failed tests (1)');
    expect(summary).toContain('## Flaky tests (1)');
    expect(summary).toContain('expected 1 to be 2');
    expect(summary).toContain('boom again ]]>');
    expect(summary).toContain('| `unit` | `src/a.test.ts › math › divides` | 25 % | 20 |');
    const links = [...summary.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(10);
    for (const link of links) expect(existsSync(join(root, 'ev', link)), link).toBe(true);
  });

  it('ends the writer: a second finish and later lines are refused', async () => {
    const { writer } = await finishedSample();
    expect(hasCode(await rejection(writer.finish(sampleRun())), 'E_STATE')).toBe(true);
    expect(
      hasCode(
        thrown(() => writer.line('unit', 1, 'stdout', 'late')),
        'E_STATE',
      ),
    ).toBe(true);
    expect(() => writer.attemptDir('unit', 3)).toThrow(/finished/);
  });

  it('refuses a run with an unsafe suite name before writing anything', async () => {
    const writer = await EvidenceWriter.create(join(root, 'ev'));
    const run = sampleRun();
    const bad = { ...run, suites: [{ ...run.suites[0]!, name: '../escape' }] };
    expect(hasCode(await rejection(writer.finish(bad)), 'E_INVALID_ARGUMENT')).toBe(true);
    expect(existsSync(join(root, 'ev', 'manifest.json'))).toBe(false);
    await expect(writer.finish(run)).resolves.toMatchObject({ run_id: 'run_1' });
  });
});
