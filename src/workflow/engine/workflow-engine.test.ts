import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, flush, type Deferred } from '../../../test/helpers/deferred.js';
import { EventBus, type FlotillaEvent } from '../../events/index.js';
import { openStore, runLeaseName, type Store } from '../../store/index.js';
import { renderString } from '../expressions/index.js';
import { parseWorkflow } from '../format/index.js';
import { StepError } from './step-error.js';
import type { StepType } from './step-type.js';
import { BUILTIN_STEP_TYPES } from '../steps/index.js';
import { WorkflowEngine } from './workflow-engine.js';

/**
 * A step type whose executions the test finishes: `key` (rendered, e.g. `item-{{ index }}`) names the
 * execution; the test resolves or rejects it through `control`.
 */
interface Control {
  /** Executions started, by key, in start order. */
  readonly started: string[];
  /** The key's current execution: finish it with `resolve(output)` or `reject(error)`. */
  readonly pending: Map<string, Deferred<unknown> & { signal: AbortSignal }>;
  active: number;
  peak: number;
  /** Keys that finish at once with this output (a step that needs no hand-holding). */
  readonly instant: Map<string, unknown>;
}

function controlledStep(): { type: StepType; control: Control } {
  const control: Control = {
    started: [],
    pending: new Map(),
    active: 0,
    peak: 0,
    instant: new Map(),
  };
  const type: StepType = {
    type: 'test',
    fields: z.strictObject({ key: z.string() }),
    async execute(step, context) {
      const key = renderString(String((step as { key?: unknown }).key), context.scope);
      control.started.push(key);
      if (control.instant.has(key)) return control.instant.get(key);
      const execution = Object.assign(deferred<unknown>(), { signal: context.signal });
      control.pending.set(key, execution);
      control.active++;
      control.peak = Math.max(control.peak, control.active);
      const onAbort = (): void => execution.reject(context.signal.reason);
      context.signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await execution.promise;
      } finally {
        context.signal.removeEventListener('abort', onAbort);
        control.active--;
        control.pending.delete(key);
      }
    },
  };
  return { type, control };
}

let dir = '';
let store: Store;
let bus: EventBus;
let events: FlotillaEvent[];
let control: Control;
let engine: WorkflowEngine;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-workflow-'));
  store = openStore({ home: dir });
  bus = new EventBus();
  events = [];
  bus.subscribe((event) => events.push(event));
  const controlled = controlledStep();
  control = controlled.control;
  engine = new WorkflowEngine({
    store,
    bus,
    stepTypes: [...BUILTIN_STEP_TYPES, controlled.type],
    heartbeatMs: 60_000,
  });
  await engine.start();
});

afterEach(async () => {
  await engine.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function load(yaml: string) {
  return parseWorkflow(yaml, { stepSchemas: engine.stepSchemas });
}

function fanOut(options: { items: number; max: number; continueOnError?: boolean; retries?: number }) {
  const items = JSON.stringify(Array.from({ length: options.items }, (_, i) => `v${i}`));
  return load(`
schema_version: 1
workflow: { id: fan }
steps:
  - id: each
    type: fan-out
    items: ${items}
    max_concurrency: ${options.max}
    continue_on_error: ${options.continueOnError ?? false}
    retries: ${options.retries ?? 0}
    step:
      id: work
      type: test
      key: "item-{{ index }}"
`);
}

/** Waits until `key` has started `times` times in all. */
async function untilStarted(key: string, times = 1): Promise<void> {
  const count = (): number => control.started.filter((started) => started === key).length;
  for (let turn = 0; turn < 1000 && count() < times; turn++) await flush();
  expect(count(), `${key} starts`).toBe(times);
}

/** Waits until `count` executions are pending. */
async function untilPending(count: number): Promise<void> {
  for (let turn = 0; turn < 1000 && control.pending.size < count; turn++) await flush();
  expect(control.pending.size).toBe(count);
}

function finish(key: string, output: unknown = key): void {
  const execution = control.pending.get(key);
  if (execution === undefined)
    throw new Error(`${key} is not running (running: ${[...control.pending.keys()].join(', ')})`);
  execution.resolve(output);
}

function fail(key: string, message = `${key} broke`): void {
  const execution = control.pending.get(key);
  if (execution === undefined) throw new Error(`${key} is not running`);
  execution.reject(new StepError(message));
}

describe('fan-out', () => {
  it('gives results in item order when items finish in reverse order', async () => {
    const run = engine.run(fanOut({ items: 5, max: 5 }));
    await untilPending(5);
    for (const index of [4, 3, 2, 1, 0]) {
      finish(`item-${index}`, { value: index * 10 });
      await flush();
    }
    const view = await run.done;
    expect(view.status).toBe('succeeded');
    const output = view.steps['each']!.output as {
      records: { index: number; output: unknown; id: string }[];
    };
    expect(output.records.map((result) => result.index)).toEqual([0, 1, 2, 3, 4]);
    expect(output.records.map((result) => result.output)).toEqual(
      [0, 10, 20, 30, 40].map((value) => ({ value })),
    );
    expect(output.records[3]!.id).toBe('each:work:3');
  });

  it('never runs more than max_concurrency items at once, and keeps the window full', async () => {
    const run = engine.run(fanOut({ items: 10, max: 3 }));
    await untilPending(3);
    expect(control.started).toEqual(['item-0', 'item-1', 'item-2']);
    // Finish the newest first (out of order): the window slides by one each time and stays full.
    for (let finished = 1; finished <= 10; finished++) {
      finish([...control.pending.keys()].at(-1)!);
      const started = Math.min(10, 3 + finished);
      const running = Math.min(3, 10 - finished);
      for (let turn = 0; turn < 1000; turn++) {
        if (control.started.length === started && control.pending.size === running) break;
        await flush();
      }
      expect([control.started.length, control.pending.size]).toEqual([started, running]);
    }
    const view = await run.done;
    expect(view.status).toBe('succeeded');
    expect(control.peak).toBe(3);
    expect(control.started).toHaveLength(10);
  });

  it('halts on the first failure: later running items are cancelled, earlier ones finish, the result is the prefix', async () => {
    const run = engine.run(fanOut({ items: 6, max: 3 }));
    await untilPending(3);
    const laterSignal = control.pending.get('item-2')!.signal;
    fail('item-1');
    await flush();
    expect(laterSignal.aborted).toBe(true); // item 2 comes after the failure: cancelled
    expect(control.pending.has('item-0')).toBe(true); // item 0 comes before: it finishes
    expect(control.started).toEqual(['item-0', 'item-1', 'item-2']); // nothing new started
    finish('item-0');
    const view = await run.done;
    expect(view.status).toBe('failed');
    expect(view.error).toContain('item 1');
    const step = view.steps['each']!;
    expect(step.status).toBe('failed');
    const output = step.output as {
      records: { status: string }[];
      counts: Record<string, number>;
      halted: boolean;
    };
    expect(output.halted).toBe(true);
    expect(output.records.map((result) => result.status)).toEqual(['succeeded', 'failed']);
    expect(output.counts).toMatchObject({ total: 6, succeeded: 1, failed: 1, skipped: 4 });
    expect(store.items.get(run.id, 'each:work:2')?.status).toBe('cancelled');
    expect(store.items.get(run.id, 'each:work:3')).toBeUndefined();
  });

  it('with continue_on_error runs every item, records failures and goes on', async () => {
    const definition = load(`
schema_version: 1
workflow: { id: keep-going }
steps:
  - id: each
    type: fan-out
    items: [a, b, c, d]
    max_concurrency: 2
    continue_on_error: true
    step: { id: work, type: test, key: "item-{{ index }}" }
  - id: after
    type: test
    key: after
`);
    control.instant.set('after', 'done');
    const run = engine.run(definition);
    await untilPending(2);
    fail('item-0');
    finish('item-1');
    await untilStarted('item-2');
    await untilStarted('item-3');
    finish('item-2');
    fail('item-3');
    const view = await run.done;
    expect(view.status).toBe('succeeded');
    const output = view.steps['each']!.output as {
      records: { status: string }[];
      counts: Record<string, number>;
    };
    expect(output.records.map((result) => result.status)).toEqual([
      'failed',
      'succeeded',
      'succeeded',
      'failed',
    ]);
    expect(output.counts).toMatchObject({ total: 4, succeeded: 2, failed: 2, skipped: 0 });
    expect(view.steps['after']!.output).toBe('done');
  });

  it('retries a failing item and counts its attempts', async () => {
    const run = engine.run(fanOut({ items: 2, max: 2, retries: 2 }));
    await untilPending(2);
    finish('item-0');
    fail('item-1');
    await untilStarted('item-1', 2);
    fail('item-1');
    await untilStarted('item-1', 3);
    finish('item-1', 'third time');
    const view = await run.done;
    const output = view.steps['each']!.output as { records: { attempts: number; output: unknown }[] };
    expect(output.records.map((result) => result.attempts)).toEqual([1, 3]);
    expect(output.records[1]!.output).toBe('third time');
    const attempts = events.filter(
      (event) => event.type === 'item.status' && event.itemId === 'each:work:1' && event.status === 'failed',
    );
    expect(attempts).toHaveLength(2);
  });

  it('namespaces the ids of nested fan-outs', async () => {
    const definition = load(`
schema_version: 1
workflow: { id: nested }
steps:
  - id: outer
    type: fan-out
    items: [[1, 2], [3]]
    max_concurrency: 2
    step:
      id: inner
      type: fan-out
      items: "{{ item }}"
      max_concurrency: 2
      step: { id: leaf, type: test, key: "leaf-{{ item }}" }
`);
    for (const value of [1, 2, 3]) control.instant.set(`leaf-${value}`, value * 100);
    const view = await engine.run(definition).done;
    expect(view.status).toBe('succeeded');
    const ids = store.items
      .listForRun(view.id)
      .map((item) => item.itemId)
      .sort();
    expect(ids).toEqual([
      'outer',
      'outer:inner:0',
      'outer:inner:0:leaf:0',
      'outer:inner:0:leaf:1',
      'outer:inner:1',
      'outer:inner:1:leaf:0',
    ]);
    const output = view.steps['outer']!.output as {
      records: { output: { records: { output: unknown }[] } }[];
    };
    expect(output.records.map((result) => result.output.records.map((leaf) => leaf.output))).toEqual([
      [100, 200],
      [300],
    ]);
  });

  it('a cancel stops the run and cancels the running items', async () => {
    const run = engine.run(fanOut({ items: 4, max: 2 }));
    await untilPending(2);
    const cancelled = engine.cancel(run.id);
    const view = await cancelled;
    expect(view.status).toBe('cancelled');
    expect(store.items.get(run.id, 'each:work:0')?.status).toBe('cancelled');
    expect(store.items.get(run.id, 'each:work:2')).toBeUndefined();
  });
});

describe('resume', () => {
  it('runs only unfinished and failed items again', async () => {
    const first = engine.run(fanOut({ items: 5, max: 5 }));
    await untilPending(5);
    finish('item-0');
    finish('item-1');
    await flush();
    fail('item-3');
    await flush();
    finish('item-2');
    const failed = await first.done;
    expect(failed.status).toBe('failed');
    expect(store.items.get(first.id, 'each:work:4')?.status).toBe('cancelled');

    control.started.length = 0;
    const again = engine.resume(first.id);
    await untilPending(2);
    expect(control.started.sort()).toEqual(['item-3', 'item-4']);
    finish('item-3', 'fixed');
    finish('item-4');
    const view = await again.done;
    expect(view.status).toBe('succeeded');
    const output = view.steps['each']!.output as { records: { output: unknown; attempts: number }[] };
    expect(output.records.map((result) => result.output)).toEqual([
      'item-0',
      'item-1',
      'item-2',
      'fixed',
      'item-4',
    ]);
    expect(output.records[3]!.attempts).toBe(2);
  });

  it('refuses runs that cannot resume', async () => {
    control.instant.set('item-0', 'x');
    const view = await engine.run(fanOut({ items: 1, max: 1 })).done;
    expect(view.status).toBe('succeeded');
    expect(() => engine.resume(view.id)).toThrow(/succeeded; only interrupted, failed or paused runs resume/);
    expect(() => engine.resume('run_nope')).toThrow(/No run run_nope/);
  });

  it('marks a run whose driving process is gone as interrupted', () => {
    const definition = fanOut({ items: 1, max: 1 });
    store.runs.insert({
      id: 'run_dead',
      kind: 'workflow',
      status: 'running',
      spec: { definition, baseDir: dir, stepOrder: [] },
    });
    store.leases.acquire(runLeaseName('run_dead'), { owner: `${'host'}:1:abc`, ttlMs: 0 });
    expect(engine.reapInterrupted()).toEqual(['run_dead']);
    expect(store.runs.get('run_dead')?.status).toBe('interrupted');
  });
});

describe('gate', () => {
  const gated = `
schema_version: 1
workflow: { id: gated }
steps:
  - id: build
    type: test
    key: build
  - id: approve
    type: gate
    message: "Ship {{ steps.build.output }}?"
  - id: ship
    type: test
    key: ship
`;

  it('pauses without an approver, then resumes past the gate once approved', async () => {
    control.instant.set('build', 'v1.2');
    control.instant.set('ship', 'shipped');
    const paused = await engine.run(load(gated)).done;
    expect(paused.status).toBe('paused');
    expect(paused.waiting).toEqual([{ item_id: 'approve', step_id: 'approve', message: 'Ship v1.2?' }]);
    expect(control.started).toEqual(['build']);

    expect(engine.approve(paused.id, { approved: true, by: 'ana' })).toBe('approve');
    const view = await engine.resume(paused.id).done;
    expect(view.status).toBe('succeeded');
    expect(view.steps['approve']!.output).toEqual({
      approved: true,
      choice: 'approve',
      by: 'ana',
      comment: null,
    });
    expect(control.started).toEqual(['build', 'ship']); // build did not run again
  });

  it('fails the run when rejected', async () => {
    control.instant.set('build', 'v1');
    const paused = await engine.run(load(gated)).done;
    engine.approve(paused.id, { approved: false, by: 'bo', comment: 'not today' });
    const view = await engine.resume(paused.id).done;
    expect(view.status).toBe('failed');
    expect(view.error).toBe('approve: rejected by bo: not today');
  });

  it('asks the approver when there is one', async () => {
    const asked: string[] = [];
    const withApprover = new WorkflowEngine({
      store,
      stepTypes: [...BUILTIN_STEP_TYPES, controlledStep().type],
      approver: (request) => {
        asked.push(request.message);
        return Promise.resolve({ approved: true, by: 'tty' });
      },
    });
    await withApprover.start();
    const definition = parseWorkflow(gated.replace(/type: test\n {4}key: (\w+)/g, 'type: gate'), {
      stepSchemas: withApprover.stepSchemas,
    });
    const view = await withApprover.run(definition).done;
    await withApprover.stop();
    expect(view.status).toBe('succeeded');
    expect(asked).toHaveLength(3);
  });

  it('refuses an approval when the run waits for none', async () => {
    control.instant.set('item-0', 'x');
    const view = await engine.run(fanOut({ items: 1, max: 1 })).done;
    expect(() => engine.approve(view.id, { approved: true })).toThrow(/waits for no approval/);
  });
});

describe('steps and expressions', () => {
  it('passes outputs between steps, with types kept', async () => {
    const definition = load(`
schema_version: 1
workflow: { id: chain }
inputs:
  count: { type: integer, default: 2 }
steps:
  - id: list
    type: shell
    run: ["node", "-e", "console.log(JSON.stringify({ names: ['a b', 'c'] }))"]
    output_format: json
  - id: each
    type: fan-out
    items: "{{ steps.list.output.data.names }}"
    max_concurrency: 2
    step:
      id: greet
      type: shell
      run: "printf '%s-%s' {{ item }} {{ index }}"
  - id: check
    type: if
    condition: "{{ steps.each.output.counts.succeeded == inputs.count and not steps.each.output.halted }}"
    then:
      - id: sum
        type: fan-in
        wait_for: [each]
`);
    const view = await engine.run(definition).done;
    expect(view.status).toBe('succeeded');
    const each = view.steps['each']!.output as { records: { output: { stdout: string } }[] };
    expect(each.records.map((result) => result.output.stdout)).toEqual(['a b-0', 'c-1']);
    const sum = view.steps['sum']!.output as { items: { stdout: string }[] };
    expect(sum.items.map((item) => item.stdout)).toEqual(['a b-0', 'c-1']);
  });

  it('logs output lines as item events and fails on a non-zero exit', async () => {
    const definition = load(`
schema_version: 1
workflow: { id: broken }
steps:
  - id: noisy
    type: shell
    run: "echo one; echo two >&2; exit 3"
  - id: never
    type: test
    key: never
`);
    const view = await engine.run(definition).done;
    expect(view.status).toBe('failed');
    expect(view.steps['noisy']).toMatchObject({ status: 'failed', output: { exit_code: 3, stdout: 'one' } });
    expect(view.error).toContain('exited with code 3');
    expect(control.started).toEqual([]);
    const lines = store.events
      .list(view.id)
      .filter((event) => event.type === 'item.log')
      .map((event) => (event.type === 'item.log' ? `${event.stream}:${event.line}` : ''));
    expect(lines).toEqual(['stdout:one', 'stderr:two']);
  });
});
