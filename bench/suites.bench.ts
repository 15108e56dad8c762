import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { suitesConfigSchema } from '../src/config/index.js';
import { runSuites } from '../src/suites/index.js';
import { printTable } from './measure.js';

/** The suites of the target: 2, 3 and 4 seconds, each writing a JUnit report. */
const SECONDS = [2, 3, 4] as const;
const ROUNDS = 3;
/** Parallel suites finish within this factor of the slowest suite alone. */
const TARGET = 1.05;

const CLI = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A suite that sleeps `seconds`, then writes a one-test JUnit report to `{out}/junit.xml`. */
function suiteOf(seconds: number) {
  const script = `setTimeout(() => require('fs').writeFileSync(process.argv[1] + '/junit.xml', '<testsuites><testsuite name="s" tests="1"><testcase classname="s" name="sleeps ${seconds} s"/></testsuite></testsuites>'), ${seconds * 1000})`;
  return {
    command: [process.execPath, '-e', script, '{out}'],
    report: { format: 'junit', path: '{out}/junit.xml' },
  };
}

/**
 * Three workers: the default is the number of suites bounded by the CPUs (2 here), and these suites
 * sleep rather than compute, so the bench asks for one worker per suite as a user with them would.
 */
const configOf = (seconds: readonly number[]) =>
  suitesConfigSchema.parse({
    max_workers: seconds.length,
    run: Object.fromEntries(seconds.map((s) => [`s${s}`, suiteOf(s)])),
  });

/** One run through the library; returns its wall time. */
async function libraryRun(seconds: readonly number[], parallel: boolean): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'flotilla-bench-suites-'));
  try {
    const run = await runSuites({
      config: configOf(seconds),
      parallel,
      evidenceDir: join(home, 'evidence'),
      env: { PATH: process.env.PATH },
    });
    if (run.exitCode !== 0)
      throw new Error(`bench suites ended ${run.suites.map((s) => s.status).join(', ')}`);
    return run.wallMs;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** One `flotilla suites --json` as a user runs it (spawned CLI, its own home); returns its own wall time and the run's. */
async function cliRun(): Promise<{ processMs: number; runMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-suites-cli-'));
  try {
    const yaml = ['suites:', `  max_workers: ${SECONDS.length}`, '  run:'];
    for (const s of SECONDS) yaml.push(`    s${s}: ${JSON.stringify(suiteOf(s))}`);
    writeFileSync(join(dir, 'flotilla.config.yaml'), yaml.join('\n'));
    const start = performance.now();
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', TSX_LOADER, CLI, 'suites', '--json', '--home', join(dir, 'home')],
        {
          cwd: dir,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`flotilla suites exited ${code}`)),
      );
    });
    const processMs = performance.now() - start;
    return { processMs, runMs: (JSON.parse(stdout) as { wallMs: number }).wallMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Suites in parallel against the slowest suite alone and against running them one after the other. */
export async function benchSuites(): Promise<{ ok: boolean }> {
  console.log(`\n## suites: ${SECONDS.join(', ')} s suites (median of ${ROUNDS})\n`);
  const alone: number[] = [];
  const parallel: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    alone.push(await libraryRun([Math.max(...SECONDS)], true));
    parallel.push(await libraryRun(SECONDS, true));
  }
  const sequential = await libraryRun(SECONDS, false);
  const cli = await cliRun();
  const slowest = median(alone);
  const together = median(parallel);
  const ratio = together / slowest;
  printTable(
    ['run', 'wall', 'vs slowest alone'],
    [
      [`slowest suite alone (${Math.max(...SECONDS)} s)`, `${Math.round(slowest)} ms`, '1.00×'],
      ['three suites in parallel', `${Math.round(together)} ms`, `${ratio.toFixed(3)}×`],
      [
        'three suites one after the other',
        `${Math.round(sequential)} ms`,
        `${(sequential / slowest).toFixed(3)}×`,
      ],
      [
        '`flotilla suites --json` (spawned CLI): the run',
        `${Math.round(cli.runMs)} ms`,
        `${(cli.runMs / slowest).toFixed(3)}×`,
      ],
      [
        '`flotilla suites --json` (spawned CLI): the process',
        `${Math.round(cli.processMs)} ms`,
        `${(cli.processMs / slowest).toFixed(3)}×`,
      ],
    ],
  );
  const ok = ratio <= TARGET;
  console.log(`\nparallel / slowest alone = ${ratio.toFixed(3)} (target ≤ ${TARGET}) ${ok ? '✓' : '✗'}`);
  return { ok };
}
