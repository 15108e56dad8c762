import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { mapOrdered } from '../src/core/index.js';
import { JobService } from '../src/jobs/index.js';
import { openStore } from '../src/store/index.js';
import { WorkspaceManager } from '../src/workspace/index.js';
import { formatRate, printTable } from './measure.js';

const CONCURRENCY = 10;

/**
 * Trivial agents: processes that do nothing, so what is measured is the cost around them. `true` is the
 * strictest case (a spawn of ~1.5 ms leaves the service's bookkeeping nowhere to hide); a Node process
 * doing nothing is what the agent CLIs people run (claude, codex) cost to start.
 */
const AGENTS: readonly { readonly name: string; readonly argv: readonly string[]; readonly jobs: number }[] =
  [
    { name: 'true', argv: ['true'], jobs: 300 },
    { name: 'node -e ""', argv: [process.execPath, '-e', ''], jobs: 60 },
  ];

/** One measured round: wall time, and the CPU time of the main thread where Linux reports it. */
interface Round {
  readonly ms: number;
  readonly cpuMs: number | undefined;
}

/**
 * The CPU time the calling (main) thread has used, in ms, or `undefined` off Linux. It shows whether
 * the main thread is the bottleneck, and still compares the two sides when other work shares the machine.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/** Starts measuring a round; the function returned ends it. */
function startRound(): () => Round {
  const cpuMs = mainThreadCpuMs();
  const start = performance.now();
  return () => {
    const ms = performance.now() - start;
    const cpuEnd = mainThreadCpuMs();
    return { ms, cpuMs: cpuMs === undefined || cpuEnd === undefined ? undefined : cpuEnd - cpuMs };
  };
}

/** One spawn that keeps the output, as any runner of agents must: stdout and stderr piped and read. */
function spawnOnce(argv: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/** The raw rate: spawns of the agent with output read, `CONCURRENCY` at a time, nothing else. */
async function rawSpawns(argv: readonly string[], jobs: number): Promise<Round> {
  const end = startRound();
  await mapOrdered(Array.from({ length: jobs }), () => spawnOnce(argv), { concurrency: CONCURRENCY });
  return end();
}

/** The same through the job service: stored, queued, run in a workspace, every event recorded. */
async function serviceJobs(argv: readonly string[], jobs: number): Promise<Round> {
  const home = mkdtempSync(join(tmpdir(), 'flotilla-bench-jobs-'));
  const config = loadConfig({
    cwd: home,
    env: {},
    flags: { home, concurrency: CONCURRENCY, maxQueue: jobs },
  });
  const store = openStore({ home });
  const service = new JobService({
    store,
    config: { ...config, agents: { trivial: { type: 'cli', command: [...argv] } } },
    workspaces: new WorkspaceManager({ home, repos: {} }),
  });
  await service.start();
  try {
    const end = startRound();
    const ids = await Promise.all(
      Array.from(
        { length: jobs },
        async () => (await service.submit({ agent: 'trivial', prompt: 'nothing' })).id,
      ),
    );
    const done = await Promise.all(ids.map((id) => service.wait(id)));
    const round = end();
    const failed = done.filter((job) => job?.status !== 'succeeded').length;
    if (failed > 0) throw new Error(`${failed} bench jobs did not succeed`);
    return round;
  } finally {
    await service.stop();
    store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Job throughput with a trivial agent at concurrency 10 vs the raw rate of spawning the same process at the
 * same concurrency with its output read, interleaved over 5 rounds. Target: at least 0.8× the raw rate.
 * Beside it, the main thread's CPU time per job on each side (Linux). The service is bound by its main
 * thread, so on an idle machine the two ratios agree; when other work shares the CPUs the main thread is no
 * longer the bottleneck and the wall-clock ratio drifts, while the CPU ratio still compares the two sides.
 */
export async function benchJobs(): Promise<{ ok: boolean }> {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const medianCpuMs = (rounds: readonly Round[]) =>
    rounds.every((round) => round.cpuMs !== undefined)
      ? median(rounds.map((round) => round.cpuMs!))
      : undefined;
  const rows: string[][] = [];
  let ok = true;
  for (const { name, argv, jobs } of AGENTS) {
    const raw: Round[] = [];
    const service: Round[] = [];
    await rawSpawns(argv, jobs);
    await serviceJobs(argv, jobs);
    for (let round = 0; round < 5; round++) {
      raw.push(await rawSpawns(argv, jobs));
      service.push(await serviceJobs(argv, jobs));
    }
    const rawMs = median(raw.map((round) => round.ms));
    const jobsMs = median(service.map((round) => round.ms));
    const ratio = rawMs / jobsMs;
    ok &&= ratio >= 0.8;
    const rawCpuMs = medianCpuMs(raw);
    const jobsCpuMs = medianCpuMs(service);
    const perJob = (cpuMs: number | undefined) =>
      cpuMs === undefined ? 'n/a' : `${Math.round((cpuMs / jobs) * 1000).toLocaleString('en-US')} µs`;
    rows.push([
      name,
      String(jobs),
      formatRate(jobs, rawMs),
      formatRate(jobs, jobsMs),
      `${ratio.toFixed(2)}×`,
      `${perJob(rawCpuMs)} / ${perJob(jobsCpuMs)}`,
      rawCpuMs === undefined || jobsCpuMs === undefined ? 'n/a' : `${(rawCpuMs / jobsCpuMs).toFixed(2)}×`,
    ]);
  }
  console.log(
    `\nJob throughput at concurrency ${CONCURRENCY}, median of 5 interleaved rounds (target ≥ 0.8× the raw rate)\n`,
  );
  printTable(
    [
      'trivial agent',
      'jobs',
      'raw spawn, output read',
      'JobService',
      'ratio',
      'main-thread CPU/job, raw / service',
      'CPU ratio',
    ],
    rows,
  );
  return { ok };
}
