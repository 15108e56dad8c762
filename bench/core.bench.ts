import pLimit from 'p-limit';
import pMap from 'p-map';
import { Limiter, mapOrdered } from '../src/index.js';
import { compare, formatRate, printTable } from './measure.js';

const TASKS = 100_000;
const CONCURRENCY = 10;

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
 * `Limiter` vs p-limit and `mapOrdered` vs p-map on 100,000 no-op tasks at concurrency 10, measured
 * interleaved in one process. Prints throughput and the ratio of ours to the peer (> 1 = ours faster).
 */
export async function benchCore(): Promise<{ ok: boolean }> {
  const items = Array.from({ length: TASKS }, (_, i) => i);
  const noop = async () => {};
  const noopWithSignal = async (_item: number, _index: number, _signal: AbortSignal) => {};

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
    limiterRatio >= 1 && mapRatio >= 1 && limiterProbe.peak === CONCURRENCY && mapProbe.peak === CONCURRENCY;
  return { ok };
}
