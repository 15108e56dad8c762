import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { mapOrdered } from '../src/core/index.js';
import { JobService } from '../src/jobs/index.js';
import { openStore } from '../src/store/index.js';
import { WorkspaceManager } from '../src/workspace/index.js';
import { formatRate, printTable } from './measure.js';

const JOBS = 300;
const CONCURRENCY = 10;
/** The trivial agent: a process that does nothing, so what is measured is the cost around it. */
const AGENT = ['true'];

/** One spawn that keeps the output, as any runner of agents must: stdout and stderr piped and read. */
function spawnOnce(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(AGENT[0]!, AGENT.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/** The raw rate: `JOBS` spawns of the agent with output read, `CONCURRENCY` at a time, nothing else. */
async function rawSpawns(): Promise<number> {
  const start = performance.now();
  await mapOrdered(Array.from({ length: JOBS }), spawnOnce, { concurrency: CONCURRENCY });
  return performance.now() - start;
}

/** The same through the job service: stored, queued, run in a workspace, every event recorded. */
async function serviceJobs(): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'flotilla-bench-jobs-'));
  const config = {
    ...loadConfig({ cwd: home, env: {}, flags: { home, concurrency: CONCURRENCY, maxQueue: JOBS } }),
  };
  const store = openStore({ home });
  const service = new JobService({
    store,
    config: { ...config, agents: { trivial: { type: 'cli' as const, command: AGENT } } },
    workspaces: new WorkspaceManager({ home, repos: {} }),
  });
  await service.start();
  try {
    const start = performance.now();
    const ids = Array.from(
      { length: JOBS },
      () => service.submit({ agent: 'trivial', prompt: 'nothing' }).id,
    );
    const done = await Promise.all(ids.map((id) => service.wait(id)));
    const elapsed = performance.now() - start;
    const failed = done.filter((job) => job?.status !== 'succeeded').length;
    if (failed > 0) throw new Error(`${failed} bench jobs did not succeed`);
    return elapsed;
  } finally {
    await service.stop();
    store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Job throughput with a trivial agent at concurrency 10 vs the raw rate of spawning the same process at the
 * same concurrency, interleaved over 5 rounds. Target: at least 0.8× the raw rate.
 */
export async function benchJobs(): Promise<{ ok: boolean }> {
  const raw: number[] = [];
  const jobs: number[] = [];
  await rawSpawns();
  await serviceJobs();
  for (let round = 0; round < 5; round++) {
    raw.push(await rawSpawns());
    jobs.push(await serviceJobs());
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rawMs = median(raw);
  const jobsMs = median(jobs);
  const ratio = rawMs / jobsMs;
  console.log(
    `\nJob throughput: ${JOBS} jobs of a trivial agent (\`${AGENT.join(' ')}\`) at concurrency ${CONCURRENCY}, median of 5\n`,
  );
  printTable(
    ['contender', 'median', 'throughput'],
    [
      [
        'raw spawn, output read (child_process + mapOrdered)',
        `${rawMs.toFixed(0)} ms`,
        formatRate(JOBS, rawMs),
      ],
      [
        'JobService (store, events, workspace, process group)',
        `${jobsMs.toFixed(0)} ms`,
        formatRate(JOBS, jobsMs),
      ],
    ],
  );
  console.log(`\nratio (jobs rate / raw rate): ${ratio.toFixed(2)}×   target ≥ 0.8×`);
  return { ok: ratio >= 0.8 };
}
