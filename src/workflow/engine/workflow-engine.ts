import {
  CancelledError,
  InterruptedError,
  Lifecycle,
  Limiter,
  type LifecycleState,
} from '../../core/index.js';
import { nowIso, type RunStatus } from '../../events/index.js';
import { killProcessesWithEnvironment } from '../../exec/index.js';
import { newRecordId, type HeldLease, type Page, type RunRecord } from '../../store/index.js';
import {
  loadWorkflowFile,
  parseWorkflow,
  resolveInputs,
  type StepDefinition,
  type StepSchema,
  type WorkflowDefinition,
} from '../format/index.js';
import { recordDecision } from './gate-decisions.js';
import { RunExecutor } from './run-executor.js';
import { RunLeases } from './run-leases.js';
import { runMarker } from './run-marker.js';
import { runSpecOf, type EngineRunKind, type RunSpec } from './run-spec.js';
import {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEASE_TTL_MS,
  type RunHandle,
  type StartOptions,
  type WorkflowEngineOptions,
} from './engine-options.js';
import { RunState } from './run-state.js';
import { toRunSummary, toRunView, type RunSummary, type RunView } from './run-view.js';
import { RunError, RunPausedSignal } from './step-error.js';
import { StepRegistry } from './step-registry.js';
import type { GateDecision, StepNeed, StepServices } from './step-type.js';

/** Statuses from which `resume` continues a run. */
const RESUMABLE: ReadonlySet<RunStatus> = new Set(['interrupted', 'failed', 'paused']);

/**
 * Runs workflows: creates runs in the store, drives them (one process at a time, under a lease renewed
 * by a heartbeat), pauses them at gates, cancels and resumes them. A run's state is its item records,
 * so a run whose process died resumes from them: finished steps and items are never run again.
 *
 * Lifecycle: `start()` marks the runs whose driver died `interrupted` and keeps doing so on a timer;
 * `stop()` interrupts the runs this engine drives (resumable). Runs are created and resumed only while
 * started.
 */
export class WorkflowEngine {
  readonly #options: WorkflowEngineOptions;
  readonly #registry: StepRegistry;
  readonly #services: Partial<StepServices>;
  readonly #leases: RunLeases;
  readonly #active = new Map<string, { controller: AbortController; done: Promise<RunView> }>();
  readonly #lifecycle = new Lifecycle({
    name: 'workflow engine',
    error: (message) => new RunError('E_STATE', message),
  });
  #reaper: NodeJS.Timeout | undefined;

  constructor(options: WorkflowEngineOptions) {
    this.#options = options;
    this.#registry = new StepRegistry(options.stepTypes);
    this.#services = { processes: new Limiter({ concurrency: Infinity }), ...options.services };
    this.#leases = new RunLeases({
      store: options.store,
      ...(options.bus === undefined ? {} : { bus: options.bus }),
      ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
      heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    });
  }

  get state(): LifecycleState {
    return this.#lifecycle.state;
  }

  /** Marks the runs a dead process left `running` as interrupted, then keeps looking on a timer. */
  start(): Promise<void> {
    return this.#lifecycle.start(() => {
      this.reapInterrupted();
      const everyMs = this.#options.reapIntervalMs ?? this.#options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
      this.#reaper = setInterval(() => this.#reapQuietly(), everyMs);
      this.#reaper.unref();
    });
  }

  /** Stops every run this engine drives (they become `interrupted`, resumable) and waits for them. */
  stop(): Promise<void> {
    return this.#lifecycle.stop(async () => {
      clearInterval(this.#reaper);
      const runs = [...this.#active.values()];
      for (const { controller } of runs) controller.abort(new InterruptedError('The run was interrupted'));
      await Promise.allSettled(runs.map((run) => run.done));
    });
  }

  /** The schemas of every step type this engine runs: what a workflow file is validated against. */
  get stepSchemas(): readonly StepSchema[] {
    return this.#registry.schemas;
  }

  /** Parses a workflow's YAML text against this engine's step types (see `parseWorkflow`). */
  parse(text: string, options: { file?: string } = {}): WorkflowDefinition {
    return parseWorkflow(text, { ...options, ...this.#loadOptions() });
  }

  /** Reads and parses a workflow file against this engine's step types (see `loadWorkflowFile`). */
  load(path: string): Promise<WorkflowDefinition> {
    return loadWorkflowFile(path, this.#loadOptions());
  }

  #loadOptions(): { stepSchemas: readonly StepSchema[]; agents?: readonly string[] } {
    const { agents } = this.#options;
    return { stepSchemas: this.#registry.schemas, ...(agents === undefined ? {} : { agents }) };
  }

  /** What running `definition` needs from the runtime: the `needs` of its steps' types, nested ones too. */
  needs(definition: WorkflowDefinition): Set<StepNeed> {
    return this.#registry.needs(definition.steps);
  }

  /**
   * What resuming stored run `id` needs from the runtime (its workflow as stored).
   * @throws RunError `E_RUN_NOT_FOUND`
   */
  needsOfRun(id: string): Set<StepNeed> {
    return this.#registry.needs(this.definitionOf(id)?.steps ?? []);
  }

  /**
   * The workflow stored run `id` runs (as it was when the run was created), `undefined` for a run that
   * is not a workflow's.
   * @throws RunError `E_RUN_NOT_FOUND`
   */
  definitionOf(id: string): WorkflowDefinition | undefined {
    return (this.#get(id).spec as RunSpec | null)?.definition;
  }

  /** Every step of `definition`, nested ones included, in document order. */
  stepsOf(definition: WorkflowDefinition): StepDefinition[] {
    const steps: StepDefinition[] = [];
    this.#registry.walk(definition.steps, (step) => steps.push(step));
    return steps;
  }

  /**
   * Creates a run of `definition` and starts driving it. Inputs are checked first: a bad one throws
   * `WorkflowInputError` and creates nothing.
   * @throws RunError `E_STATE` unless the engine is started.
   */
  run(
    definition: WorkflowDefinition,
    inputs: Readonly<Record<string, unknown>> = {},
    options: StartOptions = {},
  ): RunHandle {
    this.#lifecycle.assertStarted();
    const resolved = resolveInputs(definition, inputs, { fromStrings: options.fromStrings ?? false });
    const baseDir = options.baseDir ?? process.cwd();
    const id = newRecordId('run');
    const now = nowIso();
    const { store } = this.#options;
    const controller = new AbortController();
    const lease = this.#lease(id, controller);
    store.transaction(() => {
      store.runs.insert({
        id,
        kind: options.kind ?? 'workflow',
        name: definition.workflow.name ?? definition.workflow.id,
        status: 'running',
        spec: runSpecOf(definition, baseDir, this.#registry),
        inputs: resolved,
        createdAt: now,
        startedAt: now,
      });
      // A new run's lease is free: nobody else knows its id yet.
      lease.acquire();
    });
    return this.#drive(id, controller, lease, options.signal, false);
  }

  /**
   * Continues an interrupted, failed or paused run: finished steps and items keep their results, the
   * rest run. A run that looks `running` but whose process is gone is taken over. `inputs` (strings read
   * as their declared types, as `--input k=v` gives them) are merged over the stored ones and checked
   * again, then stored: the steps
   * that run from here on see them (a gate's verdict input, a corrected value after a failure).
   * @throws RunError `E_RUN_NOT_FOUND`, `E_RUN_BUSY` (another live process drives it),
   *   `E_RUN_NOT_RESUMABLE`, `E_STATE` (the engine is not started); WorkflowInputError for a bad input
   *   (nothing changes).
   */
  resume(
    id: string,
    options: { signal?: AbortSignal; inputs?: Readonly<Record<string, unknown>> } = {},
  ): RunHandle {
    this.#lifecycle.assertStarted();
    this.reapInterrupted();
    const run = this.#get(id);
    if (run.status === 'running') {
      throw new RunError(
        'E_RUN_BUSY',
        `Run ${id} is running in another process (${this.#leases.holder(id)})`,
      );
    }
    if (!RESUMABLE.has(run.status)) {
      throw new RunError(
        'E_RUN_NOT_RESUMABLE',
        `Run ${id} is ${run.status}; only interrupted, failed or paused runs resume`,
      );
    }
    const { store } = this.#options;
    const given = options.inputs ?? {};
    const definition = this.definitionOf(id);
    const inputs =
      Object.keys(given).length === 0 || definition === undefined
        ? undefined
        : resolveInputs(definition, { ...(run.inputs as object | null), ...given }, { fromStrings: true });
    const controller = new AbortController();
    const lease = this.#lease(id, controller);
    let taken: boolean;
    try {
      taken = store.transaction(() => {
        if (!lease.acquire().acquired) return false;
        const patch = inputs === undefined ? {} : { inputs };
        store.runs.update(id, { status: 'running', error: null, finishedAt: null, ...patch });
        return true;
      });
    } catch (error) {
      lease.release();
      throw error;
    }
    if (!taken) throw new RunError('E_RUN_BUSY', `Run ${id} is being resumed by another process`);
    return this.#drive(id, controller, lease, options.signal, true);
  }

  /**
   * Records a human's decision at the gate a paused run waits at (the only one, or `itemId`). It does not
   * resume the run: call `resume` for that.
   * @returns the gate's item id.
   */
  approve(id: string, decision: GateDecision, options: { itemId?: string } = {}): string {
    const { store, bus } = this.#options;
    return recordDecision(store, this.#get(id), decision, options.itemId, bus);
  }

  /**
   * Cancels a run: one this process drives stops at once (its processes killed); one another process
   * drives is marked cancelled and that process stops at its next heartbeat; a paused or interrupted run
   * just becomes cancelled.
   */
  async cancel(id: string): Promise<RunView> {
    const active = this.#active.get(id);
    if (active !== undefined) {
      active.controller.abort(new CancelledError(`Run ${id} was cancelled`));
      return active.done;
    }
    const run = this.#get(id);
    if (!isFinal(run.status)) {
      new RunState(this.#options.store, id, this.#options.bus).setRun('cancelled', { finishedAt: nowIso() });
    }
    return this.view(id)!;
  }

  /** The run with its steps, or `undefined`. */
  view(id: string): RunView | undefined {
    const { store } = this.#options;
    const run = store.runs.get(id);
    return run && toRunView(run, store.items.listForRun(id));
  }

  /** Runs of one kind (workflows by default) newest first, without their steps. */
  list(
    options: { status?: RunStatus; limit?: number; cursor?: string; kind?: EngineRunKind } = {},
  ): Page<RunSummary> {
    const page = this.#options.store.runs.list({ ...options, kind: options.kind ?? 'workflow' });
    return { ...page, items: page.items.map(toRunSummary) };
  }

  /**
   * Marks `interrupted` every run that says `running` but whose driving process is gone: no lease, an
   * expired one, or one whose owner was a process of this host that no longer exists. A started engine
   * does this on its own (at start and on a timer); `resume` does it first.
   * @returns the ids of the runs marked.
   */
  reapInterrupted(): string[] {
    return this.#leases.reap(new Set(this.#active.keys()));
  }

  #reapQuietly(): void {
    try {
      this.reapInterrupted();
    } catch {
      // A busy database: the next sweep tries again.
    }
  }

  /** The lease of run `id` for this engine: each heartbeat also notices a cancel written elsewhere. */
  #lease(id: string, controller: AbortController): HeldLease {
    return this.#leases.lease(id, controller, () => {
      try {
        if (this.#options.store.runs.get(id)?.status === 'cancelled') {
          controller.abort(new CancelledError(`Run ${id} was cancelled`));
        }
      } catch {
        // A busy database: the next heartbeat looks again.
      }
    });
  }

  #drive(
    id: string,
    controller: AbortController,
    lease: HeldLease,
    signal: AbortSignal | undefined,
    resumed: boolean,
  ): RunHandle {
    const onAbort = (): void => controller.abort(new InterruptedError('The run was interrupted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const done = this.#execute(id, controller, resumed)
      .finally(() => {
        // Whatever happened — even a store that failed before the first step — the lease goes back.
        lease.release();
        signal?.removeEventListener('abort', onAbort);
        this.#active.delete(id);
      })
      .then(() => this.view(id)!);
    this.#active.set(id, { controller, done });
    return { id, done };
  }

  /** Drives a run to where it stops, writing how it ended; the caller holds (and releases) its lease. */
  async #execute(id: string, controller: AbortController, resumed: boolean): Promise<void> {
    const { store, bus } = this.#options;
    const state = new RunState(store, id, bus);
    let executor: RunExecutor;
    try {
      // A dead driver's processes live on in their own sessions: kill them before their items run again.
      if (resumed) await killProcessesWithEnvironment(runMarker(id));
      const run = this.#get(id);
      const spec = run.spec as RunSpec;
      state.setRun('running', { error: null, finishedAt: null });
      executor = new RunExecutor({
        state,
        definition: spec.definition,
        inputs: (run.inputs ?? {}) as Record<string, unknown>,
        registry: this.#registry,
        baseDir: spec.baseDir,
        env: this.#options.env ?? process.env,
        ...(this.#options.agents === undefined ? {} : { agents: this.#options.agents }),
        services: this.#services,
        ...(this.#options.approver === undefined ? {} : { approver: this.#options.approver }),
      });
    } catch (error) {
      // The run could not be set up (its record unreadable, the store failing): it fails, resumable.
      state.setRun('failed', { error: `${messageOf(error)}`, finishedAt: nowIso() });
      return;
    }
    try {
      await executor.run(controller.signal);
      state.setRun('succeeded', { finishedAt: nowIso() });
    } catch (error) {
      const [status, message] = outcomeOf(error, controller.signal);
      state.setRun(status, {
        error: message,
        finishedAt: status === 'paused' || status === 'interrupted' ? null : nowIso(),
      });
    }
  }

  #get(id: string): RunRecord {
    const run = this.#options.store.runs.get(id);
    if (run === undefined) throw new RunError('E_RUN_NOT_FOUND', `No run ${id}`);
    return run;
  }
}

function outcomeOf(error: unknown, signal: AbortSignal): [RunStatus, string | null] {
  if (error instanceof RunPausedSignal) return ['paused', null];
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    const message = reason instanceof Error ? reason.message : String(reason);
    return [reason instanceof CancelledError ? 'cancelled' : 'interrupted', message];
  }
  return ['failed', messageOf(error)];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isFinal(status: RunStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}
