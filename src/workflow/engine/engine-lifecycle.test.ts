import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus, type FlotillaEvent } from '../../events/index.js';
import { openStore, runLeaseName, StoreError, type Store } from '../../store/index.js';
import { BUILTIN_STEP_TYPES } from '../steps/index.js';
import { WorkflowEngine } from './workflow-engine.js';

const ECHO = `schema_version: 1
workflow: { id: echo }
steps:
  - id: say
    type: shell
    run: [echo, hi]
`;

let dir = '';
let store: Store;
let bus: EventBus;
let engine: WorkflowEngine;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-engine-life-'));
  store = openStore({ home: dir });
  bus = new EventBus();
  engine = new WorkflowEngine({ store, bus, stepTypes: BUILTIN_STEP_TYPES, heartbeatMs: 60_000 });
});

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await engine.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A run that says `running`, driven by a process of this host that no longer exists. */
function orphanedRun(id: string): void {
  store.runs.insert({
    id,
    kind: 'workflow',
    status: 'running',
    spec: { definition: engine.parse(ECHO), baseDir: dir, stepOrder: ['say'] },
  });
  // Pid 1 of another host name: alive as far as this host can tell, so only expiry frees it.
  store.leases.acquire(runLeaseName(id), { owner: 'elsewhere:1:00000000', ttlMs: 0 });
}

describe('WorkflowEngine lifecycle', () => {
  it('goes idle → started → stopped, and creates or resumes runs only while started', async () => {
    expect(engine.state).toBe('idle');
    expect(() => engine.run(engine.parse(ECHO))).toThrow(
      expect.objectContaining({ code: 'E_STATE', message: 'The workflow engine is idle' }) as Error,
    );
    await engine.start();
    expect(engine.state).toBe('started');
    const view = await engine.run(engine.parse(ECHO)).done;
    expect(view.status).toBe('succeeded');
    await engine.stop();
    expect(engine.state).toBe('stopped');
    expect(() => engine.resume(view.id)).toThrow(expect.objectContaining({ code: 'E_STATE' }) as Error);
    expect(store.runs.list().items).toHaveLength(1);
  });

  it('marks runs whose driver died interrupted at start, then on its own timer — no reader needs to look', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    orphanedRun('run_before');
    const local = new WorkflowEngine({ store, bus, stepTypes: BUILTIN_STEP_TYPES, reapIntervalMs: 1_000 });
    const seen: FlotillaEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    await local.start();
    expect(store.runs.get('run_before')?.status).toBe('interrupted');
    orphanedRun('run_after');
    expect(store.runs.get('run_after')?.status).toBe('running');
    vi.advanceTimersByTime(1_000);
    expect(store.runs.get('run_after')).toMatchObject({
      status: 'interrupted',
      error: 'the process driving it (elsewhere:1:00000000) is gone',
    });
    expect(store.leases.get(runLeaseName('run_after'))).toBeUndefined();
    expect(seen.map((event) => ('runId' in event ? `${event.runId} ${event.type}` : event.type))).toEqual([
      'run_before run.status',
      'run_after run.status',
    ]);
    await local.stop();
  });

  it('gives the lease back and fails the run when the store fails before the first step', async () => {
    await engine.start();
    const get = store.runs.get.bind(store.runs);
    // The first read of the run by its driver fails, as a corrupt or locked database would make it.
    vi.spyOn(store.runs, 'get').mockImplementationOnce(() => {
      throw new StoreError('E_STORE', 'disk I/O error');
    });
    const handle = engine.run(engine.parse(ECHO));
    const view = await handle.done;
    expect(view).toMatchObject({ status: 'failed', error: 'disk I/O error' });
    expect(get(handle.id)?.finishedAt).not.toBeNull();
    expect(store.leases.get(runLeaseName(handle.id))).toBeUndefined();
    // Nothing was left behind: the run resumes and succeeds.
    expect((await engine.resume(handle.id).done).status).toBe('succeeded');
  });

  it('says what a workflow needs from the runtime, nested steps included, and what a stored run needs', async () => {
    await engine.start();
    const agentInFanOut = engine.parse(`schema_version: 1
workflow: { id: agents }
steps:
  - id: list
    type: shell
    run: [echo, a]
  - id: each
    type: fan-out
    items: [a, b]
    step:
      id: when
      type: if
      condition: true
      then:
        - { id: ask, type: agent, agent: any, prompt: "{{ item }}" }
`);
    // A shell step's process counts against the process bound; an agent step's job needs the scheduler.
    expect([...engine.needs(engine.parse(ECHO))]).toEqual(['processes']);
    expect([...engine.needs(agentInFanOut)]).toEqual(['processes', 'jobs']);
    const view = await engine.run(engine.parse(ECHO)).done;
    expect([...engine.needsOfRun(view.id)]).toEqual(['processes']);
    expect(() => engine.needsOfRun('run_nope')).toThrow(/No run run_nope/);
  });
});
