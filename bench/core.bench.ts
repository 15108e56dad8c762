import pLimit from 'p-limit';
import pMap from 'p-map';
import PQueue from 'p-queue';
import { Limiter, mapOrdered } from '../src/index.js';
import { compare, formatRate, printTable } from './measure.js';

const TASKS = 100_000;
const CONCURRENCY = 10;
/** A time limit no no-op task comes near: what is measured is the cost of having one. */
const TIMEOUT_MS = 60_000;

/** Wraps a no-op task so the bench can check the bound: the most tasks ever in flight at once. */
function peakProbe() {
  let active = 0;
  let peak = 0;
  return {
    task: async () => {
      active++;
      if (active > peak) peak = active;
      await Promise.resolve();
      active--;
    },
    get peak() {
      return peak;
    },
  };
}

/**
 * `Limiter` vs p-limit, `mapOrdered` vs p-map, and `Limiter` with a `completed` listener and a per-task
 * time limit vs p-queue with the same, on 100,000 no-op tasks at concurrency 10, measured interleaved in
 * one process. Prints throughput and the ratio of ours to the peer (> 1 = ours faster).
 */
export async function benchCore(): Promise<{ ok: boolean }> {
  const items = Array.from({ length: TASKS }, (_, i) => i);
  const noop = async () => {};
  const noopWithSignal = async (_item: number, _index: number, _signal: AbortSignal) => {};
  const taskWithSignal = async (_signal: AbortSignal) => {};

  const contenders = [
    {
      name: 'p-limit',
      fn: async () => {
        const limit = pLimit(CONCURRENCY);
        await Promise.all(items.map(() => limit(noop)));
      },
    },
    {
      name: 'Limiter',
      fn: async () => {
        const limiter = new Limiter({ concurrency: CONCURRENCY });
        await Promise.all(items.map(() => limiter.run(noop)));
      },
    },
    {
      name: 'p-queue+events+timeout',
      fn: async () => {
        let completed = 0;
        const queue = new PQueue({ concurrency: CONCURRENCY, timeout: TIMEOUT_MS });
        queue.on('completed', () => completed++);
        await Promise.all(items.map(() => queue.add(noop)));
      },
    },
    {
      name: 'Limiter+events+timeout',
      fn: async () => {
        let completed = 0;
        const limiter = new Limiter({ concurrency: CONCURRENCY, timeoutMs: TIMEOUT_MS });
        limiter.on('completed', () => completed++);
        await Promise.all(items.map(() => limiter.run(noop)));
      },
    },
    {
      name: 'Limiter+events+timeout+signal',
      fn: async () => {
        let completed = 0;
        const limiter = new Limiter({ concurrency: CONCURRENCY, timeoutMs: TIMEOUT_MS });
        limiter.on('completed', () => completed++);
        await Promise.all(items.map(() => limiter.run(taskWithSignal)));
      },
    },
    { name: 'p-map', fn: () => pMap(items, noop, { concurrency: CONCURRENCY }) },
    { name: 'mapOrdered', fn: () => mapOrdered(items, noop, { concurrency: CONCURRENCY }) },
    {
      name: 'mapOrdered+signals',
      fn: () => mapOrdered(items, noopWithSignal, { concurrency: CONCURRENCY }),
    },
  ];
  const results = await compare(contenders, 9);
  const byName = new Map(results.map((m) => [m.name, m]));
  const ratio = (ours: string, peer: string) => byName.get(peer)!.medianMs / byName.get(ours)!.medianMs;

  // The bound must be exact under load: peak = concurrency, never more.
  const limiterProbe = peakProbe();
  const limiter = new Limiter({ concurrency: CONCURRENCY });
  await Promise.all(items.map(() => limiter.run(limiterProbe.task)));
  const mapProbe = peakProbe();
  await mapOrdered(items, mapProbe.task, { concurrency: CONCURRENCY });

  console.log(
    `\nCore scheduling: ${TASKS.toLocaleString('en-US')} no-op tasks at concurrency ${CONCURRENCY}, median of 9 interleaved rounds\n`,
  );
  printTable(
    ['contender', 'median', 'min', 'max', 'throughput'],
    results.map((m) => [
      m.name,
      `${m.medianMs.toFixed(1)} ms`,
      `${m.minMs.toFixed(1)} ms`,
      `${m.maxMs.toFixed(1)} ms`,
      formatRate(TASKS, m.medianMs),
    ]),
  );
  const limiterRatio = ratio('Limiter', 'p-limit');
  const mapRatio = ratio('mapOrdered', 'p-map');
  const mapSignalRatio = ratio('mapOrdered+signals', 'p-map');
  const queueRatio = ratio('Limiter+events+timeout', 'p-queue+events+timeout');
  const queueSignalRatio = ratio('Limiter+events+timeout+signal', 'p-queue+events+timeout');
  console.log('');
  printTable(
    ['comparison', 'ratio (peer time / ours)', 'target', 'peak in flight'],
    [
      [
        'Limiter vs p-limit',
        `${limiterRatio.toFixed(2)}×`,
        '≥ 1.0×',
        `${limiterProbe.peak} (bound ${CONCURRENCY})`,
      ],
      [
        'Limiter vs p-queue, each with a listener and a timeout',
        `${queueRatio.toFixed(2)}×`,
        '≥ 1.0×',
        'a timer per task',
      ],
      [
        'the same, our task taking its signal',
        `${queueSignalRatio.toFixed(2)}×`,
        'report',
        'a timer and an AbortSignal per task (p-queue has none)',
      ],
      ['mapOrdered vs p-map', `${mapRatio.toFixed(2)}×`, '≥ 1.0×', `${mapProbe.peak} (bound ${CONCURRENCY})`],
      [
        'mapOrdered+signals vs p-map',
        `${mapSignalRatio.toFixed(2)}×`,
        'report',
        'per-item AbortSignal (p-map has none)',
      ],
    ],
  );
  const ok =
    limiterRatio >= 1 &&
    mapRatio >= 1 &&
    queueRatio >= 1 &&
    limiterProbe.peak === CONCURRENCY &&
    mapProbe.peak === CONCURRENCY;
  return { ok };
}
