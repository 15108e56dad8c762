import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { CancelledError } from '../../core/index.js';
import { nowIso, type EventBus, type RunStatus } from '../../events/index.js';
import { killProcessesWithEnvironment } from '../../exec/index.js';
import type { JobService } from '../../jobs/index.js';
import {
  leaseOwnerAlive,
  newLeaseOwner,
  newRecordId,
  type Page,
  type RunRecord,
  type Store,
} from '../../store/index.js';
import { resolveInputs, type StepSchema, type WorkflowDefinition } from '../format/index.js';

import { gateDecisionOutput, RunExecutor } from './run-executor.js';
import { runMarker } from './run-marker.js';
import { runSpecOf, type RunSpec } from './run-spec.js';
import { RunState } from './run-state.js';
import { toRunSummary, toRunView, type RunSummary, type RunView } from './run-view.js';
import { RunError, RunPausedSignal } from './step-error.js';
import { StepRegistry } from './step-registry.js';
import type { GateDecision, GateRequest, StepType } from './step-type.js';

/** How long a run's lease lasts without a heartbeat, by default. */
export const DEFAULT_LEASE_TTL_MS = 30_000;
/** How often a driving process renews its lease and looks for a cancel from elsewhere, by default. */
export const DEFAULT_HEARTBEAT_MS = 2_000;

/** Options of `WorkflowEngine`. */
export interface WorkflowEngineOptions {
  readonly store: Store;
  /** Where run, item and log events are published live (they are stored either way). */
  readonly bus?: EventBus;
  /** The job service that runs `agent` steps; without it, an `agent` step fails with a clear error. */
  readonly jobs?: JobService;
  /** Every step type the engine runs: `BUILTIN_STEP_TYPES` and those of the capabilities registered. */
  readonly stepTypes: readonly StepType[];
  /**
   * The environment processes of `shell` steps start with.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Asks a human at a gate (a terminal prompt); without it, or when it answers `undefined`, the run pauses. */
  readonly approver?: (request: GateRequest) => Promise<GateDecision | undefined>;
  /** @default 30_000 */
  readonly leaseTtlMs?: number;
  /** @default 2_000 */
  readonly heartbeatMs?: number;
}

/** Options of `WorkflowEngine.start`. */
export interface StartOptions {
  /** Input values as `--input k=v` gives them: strings converted to the declared types. */
  readonly fromStrings?: boolean;
  /** Where relative paths resolve; @default the workflow file's folder, else `process.cwd()`. */
  readonly baseDir?: string;
  /** Aborting it stops the run as `interrupted` (resumable), killing what runs. */
  readonly signal?: AbortSignal;
}

/** A run being driven by this process. */
export interface RunHandle {
  readonly id: string;
  /** Settles with the run's view once the run stops: succeeded, failed, paused, cancelled or interrupted. */
  readonly done: Promise<RunView>;
}

/** Statuses from which `resume` continues a run. */
const RESUMABLE: ReadonlySet<RunStatus> = new Set(['interrupted', 'failed', 'paused']);

/**
 * Runs workflows: creates runs in the store, drives them (one process at a time, under a lease renewed
 * by a heartbeat), pauses them at gates, cancels and resumes them. A run's state is its item records,
 * so a run whose process died resumes from them: finished steps and items are never run again.
 */
export class WorkflowEngine {
  readonly #options: WorkflowEngineOptions;
  readonly #registry: StepRegistry;
  readonly #owner = newLeaseOwner();
  readonly #active = new Map<string, { controller: AbortController; done: Promise<RunView> }>();

  constructor(options: WorkflowEngineOptions) {
    this.#options = options;
    this.#registry = new StepRegistry(options.stepTypes);
  }

  /** The schemas of every step type this engine runs: what `loadWorkflowFile` should validate against. */
  get stepSchemas(): readonly StepSchema[] {
    return this.#registry.schemas;
  }

  /**
   * Creates a run of `definition` and starts driving it. Inputs are checked first: a bad one throws
   * `WorkflowInputError` and creates nothing.
   */
  start(
    definition: WorkflowDefinition,
    inputs: Readonly<Record<string, unknown>> = {},
    options: StartOptions = {},
  ): RunHandle {
    const resolved = resolveInputs(definition, inputs, { fromStrings: options.fromStrings ?? false });
    const baseDir = options.baseDir ?? (definition.file ? dirname(definition.file) : process.cwd());
    const id = newRecordId('run');
    const now = nowIso();
    const { store } = this.#options;
    store.transaction(() => {
      store.runs.insert({
        id,
        kind: 'workflow',
        name: definition.workflow.name ?? definition.workflow.id,
        status: 'running',
        spec: runSpecOf(definition, baseDir),
        inputs: resolved,
        createdAt: now,
        startedAt: now,
      });
      store.runs.acquireLease(id, this.#lease());
    });
    return this.#drive(id, options.signal);
  }

  /**
   * Continues an interrupted, failed or paused run: finished steps and items keep their results, the
   * rest run. A run that looks `running` but whose process is gone is taken over.
   * @throws RunError `E_RUN_NOT_FOUND`, `E_RUN_BUSY` (another live process drives it), `E_RUN_NOT_RESUMABLE`.
   */
  resume(id: string, options: { signal?: AbortSignal } = {}): RunHandle {
    this.reapInterrupted();
    const run = this.#get(id);
    if (run.status === 'running') {
      throw new RunError(
        'E_RUN_BUSY',
        `Run ${id} is running in another process (${run.leaseOwner ?? 'unknown'})`,
      );
    }
    if (!RESUMABLE.has(run.status)) {
      throw new RunError(
        'E_RUN_NOT_RESUMABLE',
        `Run ${id} is ${run.status}; only interrupted, failed or paused runs resume`,
      );
    }
    const { store } = this.#options;
    const taken = store.transaction(() => {
      if (!store.runs.acquireLease(id, this.#lease())) return false;
      store.runs.update(id, { status: 'running', error: null, finishedAt: null });
      return true;
    });
    if (!taken) throw new RunError('E_RUN_BUSY', `Run ${id} is being resumed by another process`);
    return this.#drive(id, options.signal, true);
  }

  /**
   * Records a human's decision at the gate a paused run waits at (the only one, or `itemId`). It does not
   * resume the run: call `resume` for that.
   * @returns the gate's item id.
   */
  approve(id: string, decision: GateDecision, options: { itemId?: string } = {}): string {
    const run = this.#get(id);
    const gates = this.#options.store.items.listForRun(id).filter((item) => item.status === 'pending');
    const gate =
      options.itemId === undefined ? gates[0] : gates.find((item) => item.itemId === options.itemId);
    if (run.status !== 'paused' || gate === undefined) {
      const where = options.itemId === undefined ? '' : ` at ${options.itemId}`;
      throw new RunError(
        'E_RUN_NOT_WAITING',
        `Run ${id} waits for no approval${where} (it is ${run.status})`,
      );
    }
    const output = { ...(gate.output as object | null), ...gateDecisionOutput(decision) };
    new RunState(this.#options.store, id, this.#options.bus).writeItem({
      itemId: gate.itemId,
      idx: gate.idx,
      status: 'pending',
      output,
    });
    return gate.itemId;
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

  /** Runs newest first, without their steps. */
  list(options: { status?: RunStatus; limit?: number; cursor?: string } = {}): Page<RunSummary> {
    const page = this.#options.store.runs.list({ ...options, kind: 'workflow' });
    return { ...page, items: page.items.map(toRunSummary) };
  }

  /**
   * Marks `interrupted` every run that says `running` but whose driving process is gone: its lease
   * expired, or its owner was a process of this host that no longer exists.
   * @returns the ids of the runs marked.
   */
  reapInterrupted(): string[] {
    const { store } = this.#options;
    const now = nowIso();
    const marked: string[] = [];
    for (const run of store.runs.list({ status: 'running', kind: 'workflow', limit: 1000 }).items) {
      if (this.#active.has(run.id) || !this.#abandoned(run, now)) continue;
      const state = new RunState(store, run.id, this.#options.bus);
      store.transaction(() => {
        if (run.leaseOwner !== null) store.runs.releaseLease(run.id, run.leaseOwner);
        state.setRun('interrupted', {
          error: `the process driving it (${run.leaseOwner ?? 'none'}) is gone`,
        });
      });
      marked.push(run.id);
    }
    return marked;
  }

  /** Stops every run this process drives (they become `interrupted`, resumable) and waits for them. */
  async stop(): Promise<void> {
    const runs = [...this.#active.values()];
    for (const { controller } of runs) controller.abort(new InterruptedReason());
    await Promise.allSettled(runs.map((run) => run.done));
  }

  #drive(id: string, signal: AbortSignal | undefined, resumed = false): RunHandle {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(new InterruptedReason());
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const done = this.#execute(id, controller, resumed).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      this.#active.delete(id);
    });
    this.#active.set(id, { controller, done });
    return { id, done };
  }

  async #execute(id: string, controller: AbortController, resumed: boolean): Promise<RunView> {
    const { store, bus } = this.#options;
    // A dead driver's processes live on in their own sessions: kill them before their items run again.
    if (resumed) await killProcessesWithEnvironment(runMarker(id));
    const run = this.#get(id);
    const spec = run.spec as RunSpec;
    const state = new RunState(store, id, bus);
    state.setRun('running', { error: null, finishedAt: null });
    const heartbeat = setInterval(
      () => this.#heartbeat(id, controller),
      this.#options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    );
    const executor = new RunExecutor({
      state,
      definition: spec.definition,
      inputs: (run.inputs ?? {}) as Record<string, unknown>,
      registry: this.#registry,
      baseDir: spec.baseDir,
      env: this.#options.env ?? process.env,
      ...(this.#options.jobs === undefined ? {} : { jobs: this.#options.jobs }),
      ...(this.#options.approver === undefined ? {} : { approver: this.#options.approver }),
    });
    try {
      await executor.run(controller.signal);
      state.setRun('succeeded', { finishedAt: nowIso() });
    } catch (error) {
      const [status, message] = outcomeOf(error, controller.signal);
      state.setRun(status, {
        error: message,
        finishedAt: status === 'paused' || status === 'interrupted' ? null : nowIso(),
      });
    } finally {
      clearInterval(heartbeat);
      store.runs.releaseLease(id, this.#owner);
    }
    return this.view(id)!;
  }

  /** Renews the lease; stops the run when it was cancelled elsewhere or the lease was lost. */
  #heartbeat(id: string, controller: AbortController): void {
    const { store } = this.#options;
    try {
      if (store.runs.get(id)?.status === 'cancelled') {
        controller.abort(new CancelledError(`Run ${id} was cancelled`));
      } else if (!store.runs.renewLease(id, this.#lease())) {
        controller.abort(new InterruptedReason(`Run ${id}: the lease was lost to another process`));
      }
    } catch (error) {
      controller.abort(new InterruptedReason(`Run ${id}: the heartbeat failed: ${String(error)}`));
    }
  }

  #abandoned(run: RunRecord, now: string): boolean {
    if (run.leaseOwner === null || run.leaseExpiresAt === null) return true;
    if (run.leaseExpiresAt <= now) return true;
    return !leaseOwnerAlive(run.leaseOwner, hostname());
  }

  #lease() {
    return { owner: this.#owner, ttlMs: this.#options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS };
  }

  #get(id: string): RunRecord {
    const run = this.#options.store.runs.get(id);
    if (run === undefined) throw new RunError('E_RUN_NOT_FOUND', `No run ${id}`);
    return run;
  }
}

/** The abort reason of a stop, a Ctrl-C or a lost lease: the run ends `interrupted` and can resume. */
class InterruptedReason extends Error {
  constructor(message = 'The run was interrupted') {
    super(message);
  }
}

function outcomeOf(error: unknown, signal: AbortSignal): [RunStatus, string | null] {
  if (error instanceof RunPausedSignal) return ['paused', null];
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    const message = reason instanceof Error ? reason.message : String(reason);
    return [reason instanceof CancelledError ? 'cancelled' : 'interrupted', message];
  }
  return ['failed', error instanceof Error ? error.message : String(error)];
}

function isFinal(status: RunStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}
