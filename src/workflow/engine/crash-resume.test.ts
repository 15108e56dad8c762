import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../store/index.js';
import { processesWithEnvironment } from '../../exec/index.js';
import { runMarker } from './run-marker.js';
import { BUILTIN_STEP_TYPES } from '../steps/index.js';
import { WorkflowEngine } from './workflow-engine.js';

const FIXTURE = fileURLToPath(new URL('./crash-run.fixture.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const ITEMS = 40;
const HELD_FROM = 20;
const WINDOW = 4;

let dir: string;
let child: ReturnType<typeof spawn> | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-wf-crash-'));
});
afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Waits until `check` holds, polling (the other process writes the database). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 3000; turn++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('resumes a SIGKILLed run mid fan-out: every item finished before the kill runs exactly once', async () => {
  const home = join(dir, 'home');
  const log = join(dir, 'ran.log');
  const go = join(dir, 'go');
  // Items from HELD_FROM on wait for the `go` file, so the kill lands with the first HELD_FROM items
  // finished and a full window of items running: a fixed point, not a race.
  const workflow = join(dir, 'wf.yml');
  writeFileSync(
    workflow,
    `schema_version: 1
workflow: { id: crash }
inputs:
  log: { type: string, default: ${JSON.stringify(log)} }
  go: { type: string, default: ${JSON.stringify(go)} }
steps:
  - id: each
    type: fan-out
    items: ${JSON.stringify(Array.from({ length: ITEMS }, (_, i) => i))}
    max_concurrency: ${WINDOW}
    step:
      id: work
      type: shell
      run: "echo {{ item }} >> {{ inputs.log }}; if [ {{ item }} -ge ${HELD_FROM} ]; then while [ ! -f {{ inputs.go }} ]; do sleep 0.02; done; fi"
`,
  );
  child = spawn(process.execPath, ['--import', TSX_LOADER, FIXTURE, home, workflow], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await until(() => stdout.includes('\n') || child!.exitCode !== null, 'the run id');
  const runId = stdout.split('\n')[0]!;
  expect(runId, stderr).toMatch(/^run_/);

  const store = openStore({ home });
  try {
    const count = (status: string): number =>
      store.items.listForRun(runId, { parentId: 'each' }).filter((item) => item.status === status).length;
    // Running in the store is not yet running in a process: wait until each held item's shell has said so.
    const heldStarted = (): number =>
      (existsSync(log) ? readFileSync(log, 'utf8') : '')
        .split('\n')
        .filter((line) => line !== '' && Number(line) >= HELD_FROM).length;
    await until(
      () => count('succeeded') === HELD_FROM && count('running') === WINDOW && heldStarted() === WINDOW,
      'the held window',
    );
    const exited = new Promise((resolve) => child!.on('close', resolve));
    child.kill('SIGKILL');
    await exited;

    const finishedBeforeKill = store.items
      .listForRun(runId, { parentId: 'each' })
      .filter((item) => item.status === 'succeeded')
      .map((item) => item.idx);
    expect(finishedBeforeKill).toHaveLength(HELD_FROM);
    expect(store.runs.get(runId)?.status).toBe('running'); // nobody marked it yet

    // The killed driver's held items live on in their own sessions until the resume kills them.
    expect(await processesWithEnvironment(runMarker(runId))).not.toEqual([]);
    const engine = new WorkflowEngine({ stepTypes: BUILTIN_STEP_TYPES, store });
    await engine.start();
    const resumed = engine.resume(runId);
    const runningAgain = (): number =>
      store.items
        .listForRun(runId, { parentId: 'each' })
        .filter((item) => item.status === 'running' && item.attempts === 2).length;
    // The held items run again (a second attempt) while the first ones' processes are gone.
    await until(() => runningAgain() === WINDOW, 'the resumed window');
    expect(finishedBeforeKill.length + WINDOW).toBeLessThan(ITEMS);
    writeFileSync(go, '');
    const view = await resumed.done;
    expect(view.status).toBe('succeeded');
    expect(await processesWithEnvironment(runMarker(runId))).toEqual([]);

    const runs = new Map<number, number>();
    for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
      runs.set(Number(line), (runs.get(Number(line)) ?? 0) + 1);
    }
    for (const index of finishedBeforeKill) expect(runs.get(index), `item ${index}`).toBe(1);
    for (let index = 0; index < ITEMS; index++)
      expect(runs.get(index) ?? 0, `item ${index}`).toBeGreaterThanOrEqual(1);
    const output = view.steps['each']!.output as { records: { index: number; status: string }[] };
    expect(output.records.map((result) => result.index)).toEqual(Array.from({ length: ITEMS }, (_, i) => i));
    expect(output.records.every((result) => result.status === 'succeeded')).toBe(true);
  } finally {
    store.close();
  }
});
