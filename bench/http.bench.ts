import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBullmq } from './bullmq-peer.js';
import { serveFlotilla, type ServedFlotilla } from './http-server.js';
import { formatRate, printTable } from './measure.js';

const CONCURRENCY = 8;
const SOAK_JOBS = 2_000;
const SUBMISSIONS = 2_000;
const BATCH = 100;
const ROUNDS = 3;

/**
 * The raw rate, in a Node process that does nothing else (as a user's own script would): `jobs` spawns
 * of `true` with stdout and stderr read, `CONCURRENCY` at a time. Prints the ms it took.
 */
const RAW_SPAWNS = `
const { spawn } = require('node:child_process');
const [jobs, concurrency] = process.argv.slice(1).map(Number);
const once = () => new Promise((resolve, reject) => {
  const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume(); child.stderr.resume();
  child.on('error', reject); child.on('close', resolve);
});
let next = 0;
const start = performance.now();
Promise.all(Array.from({ length: concurrency }, async () => { while (next++ < jobs) await once(); }))
  .then(() => console.log(performance.now() - start));
`;

function rawSpawnsMs(jobs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', RAW_SPAWNS, String(jobs), String(CONCURRENCY)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', () => resolve(Number(out)));
  });
}

const job = { agent: 'trivial', prompt: 'nothing' };

/** 2,000 jobs of `true` submitted one by one, until the last has finished; and the server's memory. */
async function soak(server: ServedFlotilla): Promise<{ ms: number; rssGrowthMb: number }> {
  const before = server.rssMb();
  const start = performance.now();
  for (let i = 0; i < SOAK_JOBS; i++) await server.post('/v1/jobs', job);
  await server.drained();
  return { ms: performance.now() - start, rssGrowthMb: server.rssMb() - before };
}

/** Submissions alone (one agent holds the only slot): one by one, then in batches of `BATCH`. */
async function submissions(server: ServedFlotilla): Promise<{ singleMs: number; batchMs: number }> {
  let start = performance.now();
  for (let i = 0; i < SUBMISSIONS; i++) await server.post('/v1/jobs', job);
  const singleMs = performance.now() - start;
  const jobs = Array.from({ length: BATCH }, () => job);
  start = performance.now();
  for (let i = 0; i < SUBMISSIONS / BATCH; i++) await server.post('/v1/jobs', { jobs });
  return { singleMs, batchMs: performance.now() - start };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * The HTTP path as a user of `flotilla serve` meets it: the server started from `dist/` in its own process,
 * jobs sent over loopback. Targets: 2,000 trivial jobs submitted one by one finish at ≥ 0.8× the raw rate
 * of spawning `true` at the same concurrency, with the server's memory growing < 50 MB. Beside it,
 * submissions per second (single and batch), and BullMQ's `add` / `addBulk` on a local `redis-server`.
 */
export async function benchHttp(): Promise<{ ok: boolean }> {
  console.log('\nBuilding dist/ (what an installed Flotilla runs)…');
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: 'inherit',
  });
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-http-'));
  const raw: number[] = [];
  const served: number[] = [];
  const growth: number[] = [];
  const single: number[] = [];
  const batch: number[] = [];
  try {
    await rawSpawnsMs(200);
    for (let round = 0; round < ROUNDS; round++) {
      raw.push(await rawSpawnsMs(SOAK_JOBS));
      const roundDir = mkdtempSync(join(dir, 'soak-'));
      const server = await serveFlotilla(roundDir, ['true'], {
        concurrency: CONCURRENCY,
        maxQueue: SOAK_JOBS,
      });
      try {
        await soak(server); // warm: the first 2,000 also grow the heap to its working size
        const { ms, rssGrowthMb } = await soak(server);
        served.push(ms);
        growth.push(rssGrowthMb);
      } finally {
        await server.stop();
      }
      const held = await serveFlotilla(mkdtempSync(join(dir, 'submit-')), ['sleep', '600'], {
        concurrency: 1,
        maxQueue: SUBMISSIONS * 5,
      });
      try {
        await submissions(held);
        const { singleMs, batchMs } = await submissions(held);
        single.push(singleMs);
        batch.push(batchMs);
      } finally {
        await held.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = median(raw) / median(served);
  const growthMb = Math.max(...growth);
  console.log(
    `\nThe HTTP path: ${SOAK_JOBS} jobs of \`true\` sent one by one to \`flotilla serve\` at concurrency ${CONCURRENCY}, median of ${ROUNDS} interleaved rounds (targets: ≥ 0.8× the raw rate, memory growth < 50 MB)\n`,
  );
  printTable(
    ['raw spawn (own process)', 'POST /v1/jobs, to the end', 'ratio', 'server memory growth'],
    [
      [
        formatRate(SOAK_JOBS, median(raw)),
        formatRate(SOAK_JOBS, median(served)),
        `${ratio.toFixed(2)}×`,
        `${growthMb.toFixed(1)} MB`,
      ],
    ],
  );
  const peers = await benchBullmq(SUBMISSIONS, BATCH);
  console.log(
    `\nSubmissions per second (${SUBMISSIONS} jobs, each acknowledged before the next is sent; batches of ${BATCH})\n`,
  );
  printTable(
    ['submitter', 'one by one', `batches of ${BATCH}`, 'once acknowledged, a job is'],
    [
      [
        'Flotilla POST /v1/jobs',
        formatRate(SUBMISSIONS, median(single)),
        formatRate(SUBMISSIONS, median(batch)),
        'committed to SQLite: survives a crash of the server',
      ],
      ...(peers === undefined
        ? [['BullMQ', 'not measured: no redis-server on PATH', '', '']]
        : [
            [
              'BullMQ Queue.add / addBulk',
              formatRate(SUBMISSIONS, peers.addMs),
              formatRate(SUBMISSIONS, peers.addBulkMs),
              'in Redis memory (this redis-server: no AOF, no snapshots)',
            ],
          ]),
    ],
  );
  return { ok: ratio >= 0.8 && growthMb < 50 };
}
