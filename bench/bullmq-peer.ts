import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `redis-server` on a free port, without persistence; `undefined` when none is installed. */
async function startRedis(): Promise<{ port: number; stop: () => void } | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('close', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  child.stdout.resume();
  return { port, stop: () => child.kill('SIGTERM') };
}

/**
 * BullMQ's submission, the peer of `POST /v1/jobs`: `count` jobs with `Queue.add`, each awaited before the
 * next, then in `addBulk` batches of `batch`; median of 3 rounds, in ms. `undefined` without `redis-server`.
 */
export async function benchBullmq(
  count: number,
  batch: number,
): Promise<{ addMs: number; addBulkMs: number } | undefined> {
  const redis = await startRedis();
  if (redis === undefined) return undefined;
  const { Queue } = await import('bullmq');
  const adds: number[] = [];
  const bulks: number[] = [];
  try {
    for (let round = 0; round < 4; round++) {
      const queue = new Queue(`bench-${round}`, { connection: { host: '127.0.0.1', port: redis.port } });
      await queue.waitUntilReady();
      const data = { agent: 'trivial', prompt: 'nothing' };
      let start = performance.now();
      for (let i = 0; i < count; i++) await queue.add('job', data);
      const addMs = performance.now() - start;
      start = performance.now();
      for (let i = 0; i < count / batch; i++) {
        await queue.addBulk(Array.from({ length: batch }, () => ({ name: 'job', data })));
      }
      const addBulkMs = performance.now() - start;
      await queue.close();
      if (round === 0) continue; // warm-up
      adds.push(addMs);
      bulks.push(addBulkMs);
    }
  } finally {
    redis.stop();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { addMs: median(adds), addBulkMs: median(bulks) };
}
