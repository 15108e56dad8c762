import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pMap from 'p-map';
import { openStore } from '../src/store/index.js';
import { BUILTIN_STEP_TYPES, WorkflowEngine } from '../src/workflow/index.js';
import { formatRate, printTable } from './measure.js';

const MAX_CONCURRENCY = 8;
const SIZES = [100, 1000] as const;
const ROUNDS = 3;

/** A fan-out of `items` trivial shell steps (`true`, as an argv: no shell in between). */
function workflowOf(items: number): string {
  return `schema_version: 1
workflow: { id: bench }
steps:
  - id: each
    type: fan-out
    items: ${JSON.stringify(Array.from({ length: items }, (_, i) => i))}
    max_concurrency: ${MAX_CONCURRENCY}
    step: { id: noop, type: shell, run: ["true"] }
`;
}

/** One run through the engine: every item stored twice (running, succeeded) with its events. */
async function engineRun(items: number): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'flotilla-bench-wf-'));
  const store = openStore({ home });
  const engine = new WorkflowEngine({ store, stepTypes: BUILTIN_STEP_TYPES });
  try {
    await engine.start();
    const definition = engine.parse(workflowOf(items));
    const start = performance.now();
    const view = await engine.run(definition, {}, { baseDir: home }).done;
    const elapsed = performance.now() - start;
    if (view.status !== 'succeeded') throw new Error(`bench run ${view.status}: ${view.error}`);
    return elapsed;
  } finally {
    await engine.stop();
    store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/** The peer: p-map spawning the same process at the same concurrency, with no state at all. */
async function pMapRun(items: number): Promise<number> {
  const start = performance.now();
  await pMap(Array.from({ length: items }), spawnTrue, { concurrency: MAX_CONCURRENCY });
  return performance.now() - start;
}

/**
 * A fan-out of trivial shell steps at `max_concurrency` 8, at 100 and at 1,000 items, against p-map
 * spawning the same process with no state. Target: the rate at 1,000 items is at least 0.9× the rate at
 * 100 (state costs O(1) per item: nothing is rewritten as the run grows).
 */
export async function benchWorkflow(): Promise<{ ok: boolean }> {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rates = new Map<number, number>();
  const rows: string[][] = [];
  for (const items of SIZES) {
    const engine: number[] = [];
    const peer: number[] = [];
    await engineRun(items);
    for (let round = 0; round < ROUNDS; round++) {
      engine.push(await engineRun(items));
      peer.push(await pMapRun(items));
    }
    const engineMs = median(engine);
    const peerMs = median(peer);
    rates.set(items, items / engineMs);
    rows.push([
      String(items),
      formatRate(items, engineMs),
      formatRate(items, peerMs),
      `${(peerMs / engineMs).toFixed(2)}×`,
    ]);
  }
  const growth = rates.get(1000)! / rates.get(100)!;
  const ok = growth >= 0.9;
  console.log(
    `\nWorkflow fan-out of \`true\` at max_concurrency ${MAX_CONCURRENCY}, median of ${ROUNDS} interleaved rounds`,
  );
  console.log('(target: the rate at 1,000 items ≥ 0.9× the rate at 100 — state is O(1) per item)\n');
  printTable(['items', 'WorkflowEngine', 'p-map spawn (no state)', 'ratio'], rows);
  console.log(`\nrate at 1,000 / rate at 100: ${growth.toFixed(2)}×`);
  return { ok };
}
