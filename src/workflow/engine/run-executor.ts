import { dirname } from 'node:path';
import { mapOrdered, TimeoutError, withTimeout } from '../../core/index.js';
import { nowIso, type ItemStatus } from '../../events/index.js';
import type { StepDefinition, WorkflowDefinition } from '../format/index.js';
import type { ExpressionScope } from '../expressions/index.js';
import { decisionOf } from './gate-decisions.js';
import type { RunState } from './run-state.js';
import { RunPausedSignal, StepError } from './step-error.js';
import type { StepRegistry } from './step-registry.js';
import type {
  GateDecision,
  GateRequest,
  ItemResult,
  ItemsOptions,
  ItemsOutcome,
  StepContext,
  StepNeed,
  StepServices,
} from './step-type.js';

/** What one run's execution needs. */
export interface RunExecutorOptions {
  readonly state: RunState;
  readonly definition: WorkflowDefinition;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly registry: StepRegistry;
  readonly baseDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The configuration's agent profiles, when known. */
  readonly agents?: readonly string[];
  /** What the runtime lends to step types that declare a need for it. */
  readonly services: Partial<StepServices>;
  /** Asks a human at a gate (a TTY); `undefined` when nobody can answer now. */
  readonly approver?: (request: GateRequest) => Promise<GateDecision | undefined>;
}

/** Where a step's execution is stored. */
interface Placement {
  readonly itemId: string;
  readonly parentId: string | null;
  readonly idx: number;
}

/** An output as expressions see it. */
interface Visible {
  readonly output: unknown;
  readonly status?: string;
}

/** What a frame adds to its parent's scope: the item of a fan-out, or nothing (a loop's iteration). */
interface FrameItem {
  readonly value: unknown;
  readonly index: number;
}

/**
 * A scope of execution: the whole run, one item of a fan-out (with `item` and `index`), or one iteration
 * of a loop; each with its own step outputs and a prefix that namespaces the ids of the steps run inside
 * it. A frame sees its own outputs first, then its parent's, and inherits `item` and `index`.
 */
class Frame {
  readonly prefix: string | null;
  readonly outputs = new Map<string, Visible>();
  readonly scope: ExpressionScope;

  constructor(
    base: Pick<ExpressionScope, 'inputs' | 'context'>,
    prefix: string | null,
    parent?: Frame,
    item?: FrameItem,
    earlier: Readonly<Record<string, unknown>> = {},
  ) {
    this.prefix = prefix;
    const steps = (id: string): Visible | undefined =>
      this.outputs.get(id) ??
      (Object.hasOwn(earlier, id) ? { output: earlier[id] } : undefined) ??
      parent?.scope.steps(id);
    const inherited = parent?.scope;
    const current =
      item ??
      (inherited?.index === undefined ? undefined : { value: inherited.item, index: inherited.index });
    this.scope =
      current === undefined
        ? { ...base, steps }
        : { ...base, steps, item: current.value, index: current.index };
  }

  idOf(step: StepDefinition): string {
    return this.prefix === null ? step.id : `${this.prefix}:${step.id}`;
  }
}

/** An item that did not succeed, carrying its result through `mapOrdered`. */
class ItemFailure extends Error {
  constructor(readonly result: ItemResult) {
    super(result.error ?? result.status);
  }
}

/** What messages call each service a step type may need. */
const SERVICE_NAMES: Readonly<Record<StepNeed, string>> = {
  jobs: 'job service',
  processes: 'process bound',
};

/**
 * Executes the steps of one run against its durable state: a step (or item) whose record says it
 * succeeded is not run again, its stored output is used instead; everything else runs, and every state
 * change is one record written before the engine moves on. Throws the first failure that ends the run
 * (a `StepError`), a `RunPausedSignal` at a gate nobody can answer, or the abort reason.
 */
export class RunExecutor {
  readonly #options: RunExecutorOptions;
  readonly #state: RunState;
  /** The run's inputs: one object every scope reads, so a gate's `setInput` is seen everywhere. */
  readonly #inputs: Record<string, unknown>;
  /** What every scope gets as `context`. */
  readonly #base: Pick<ExpressionScope, 'inputs' | 'context'>;
  readonly #workflowDir: string;

  constructor(options: RunExecutorOptions) {
    this.#options = options;
    this.#state = options.state;
    this.#inputs = { ...options.inputs };
    const file = options.definition.file;
    this.#workflowDir = file === undefined ? '' : dirname(file);
    this.#base = {
      inputs: this.#inputs,
      context: { run_id: options.state.runId, workflow_dir: this.#workflowDir },
    };
  }

  async run(signal: AbortSignal): Promise<void> {
    const top = new Frame(this.#base, null);
    await this.#runSteps(this.#options.definition.steps, top, null, signal);
  }

  async #runSteps(
    steps: readonly StepDefinition[],
    frame: Frame,
    parentId: string | null,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const outputs: Record<string, unknown> = {};
    for (const [idx, step] of steps.entries()) {
      signal.throwIfAborted();
      outputs[step.id] = await this.#runStep(
        step,
        frame,
        { itemId: frame.idOf(step), parentId, idx },
        signal,
      );
    }
    return outputs;
  }

  /**
   * Runs a step unless its record says it already succeeded (or failed past `continue_on_error`). A step
   * with `continue_on_error` that fails gives its output and the run goes on — unless the run itself is
   * stopping, the run pauses, or the failure is a deliberate abort (a gate's).
   */
  async #runStep(step: StepDefinition, frame: Frame, at: Placement, signal: AbortSignal): Promise<unknown> {
    const stored = this.#state.item(at.itemId);
    const continues = step.continue_on_error === true;
    if (stored?.status === 'succeeded' || (continues && isFailure(stored?.status))) {
      frame.outputs.set(step.id, { output: stored!.output, status: stored!.status });
      return stored!.output;
    }
    try {
      return await this.#attempt(step, frame, at, signal, (stored?.attempts ?? 0) + 1);
    } catch (error) {
      const routed =
        continues &&
        !signal.aborted &&
        !(error instanceof RunPausedSignal) &&
        !(error instanceof StepError && error.aborts);
      if (!routed) throw error;
      return error instanceof StepError ? (error.output ?? null) : null;
    }
  }

  /** One attempt of one step: `running`, then its outcome, each written before anything else happens. */
  async #attempt(
    step: StepDefinition,
    frame: Frame,
    at: Placement,
    signal: AbortSignal,
    attempt: number,
  ): Promise<unknown> {
    const type = this.#options.registry.get(step.type);
    const state = this.#state;
    const placed = { itemId: at.itemId, idx: at.idx, parentId: at.parentId, stepId: step.id };
    state.writeItem(
      { ...placed, status: 'running', attempts: attempt, error: null, startedAt: nowIso(), finishedAt: null },
      attempt,
    );
    try {
      const output = await type.execute(
        step,
        this.#context(step, frame, at, signal),
        this.#services(step, type.needs ?? []),
      );
      state.writeItem({ ...placed, status: 'succeeded', output: output ?? null, finishedAt: nowIso() });
      frame.outputs.set(step.id, { output, status: 'succeeded' });
      return output;
    } catch (error) {
      if (error instanceof RunPausedSignal) {
        // The gate keeps its question; the steps that hold it are pending too, with no question of their own.
        const own = error.itemId === at.itemId;
        const waiting = own ? { waiting: true, message: error.question, options: error.options } : null;
        state.writeItem({ ...placed, status: 'pending', output: waiting });
        throw error;
      }
      const status = statusOf(error, signal);
      const output = error instanceof StepError ? error.output : undefined;
      const message = messageOf(error, signal);
      state.writeItem(
        { ...placed, status, output: output ?? null, error: message, finishedAt: nowIso() },
        attempt,
      );
      frame.outputs.set(step.id, { output, status });
      throw error;
    }
  }

  #context(step: StepDefinition, frame: Frame, at: Placement, signal: AbortSignal): StepContext {
    const { itemId } = at;
    const options = this.#options;
    const state = this.#state;
    const integration = options.definition.workflow.integration;
    return {
      runId: state.runId,
      itemId,
      signal,
      scope: frame.scope,
      baseDir: options.baseDir,
      workflowDir: this.#workflowDir,
      ...(integration === undefined ? {} : { defaultIntegration: integration }),
      ...(options.agents === undefined ? {} : { agents: options.agents }),
      env: options.env,
      log: (stream, line) => state.log(itemId, stream, line),
      runSteps: (steps, runOptions) => {
        const namespace = runOptions?.namespace;
        const inner =
          namespace === undefined
            ? frame
            : new Frame(this.#base, `${itemId}:${namespace}`, frame, undefined, runOptions?.earlier);
        return this.#runSteps(steps, inner, itemId, signal);
      },
      runItems: (template, items, itemsOptions) =>
        this.#runItems(template, items, itemsOptions, frame, itemId, signal),
      decide: async (message, choices) => {
        const stored = decisionOf(state.item(itemId)?.output);
        if (stored !== undefined) return stored;
        const request = { runId: state.runId, itemId, stepId: step.id, message, options: choices };
        return options.approver?.(request);
      },
      setInput: (name, value) => {
        this.#inputs[name] = value;
        state.setInputs({ ...this.#inputs });
      },
    };
  }

  /** The services a step's type needs, each one the runtime has; a missing one fails the step. */
  #services(step: StepDefinition, needs: readonly StepNeed[]): StepServices {
    const lent: Partial<Record<StepNeed, unknown>> = {};
    for (const need of needs) {
      const service = this.#options.services[need];
      if (service === undefined) {
        throw new StepError(
          `${step.id}: ${step.type} steps need the ${SERVICE_NAMES[need]}, and this engine has none ` +
            '(run the workflow through openRuntime, the CLI or the server)',
        );
      }
      lent[need] = service;
    }
    return lent as StepServices;
  }

  /**
   * The fan-out machinery: `template` once per item through `mapOrdered` (sliding window, item order,
   * halt prefix), each item with its retries and its own timeout per attempt.
   */
  async #runItems(
    template: StepDefinition,
    items: readonly unknown[],
    options: ItemsOptions,
    frame: Frame,
    ownerId: string,
    signal: AbortSignal,
  ): Promise<ItemsOutcome> {
    const run = (item: unknown, index: number, itemSignal: AbortSignal): Promise<ItemResult> =>
      this.#runItem(template, item, index, options, frame, ownerId, itemSignal);
    // spec-kit writes `continue_on_error` on the template: that item's failure does not halt the rest.
    const outcome = await mapOrdered(items, run, {
      concurrency: options.concurrency,
      stopOnError: !options.continueOnError && template.continue_on_error !== true,
      signal,
    });
    const results = outcome.results.map((settled, index): ItemResult => {
      if (settled.status === 'fulfilled') return settled.value;
      if (settled.reason instanceof ItemFailure) return settled.reason.result;
      if (settled.reason instanceof RunPausedSignal) throw settled.reason;
      const id = `${ownerId}:${template.id}:${index}`;
      return { index, id, status: 'failed', output: null, error: String(settled.reason), attempts: 0 };
    });
    return outcome.halted
      ? { results, halted: true, haltIndex: outcome.haltIndex! }
      : { results, halted: false };
  }

  async #runItem(
    template: StepDefinition,
    item: unknown,
    index: number,
    options: ItemsOptions,
    frame: Frame,
    ownerId: string,
    signal: AbortSignal,
  ): Promise<ItemResult> {
    const itemId = `${ownerId}:${template.id}:${index}`;
    const stored = this.#state.item(itemId);
    if (stored?.status === 'succeeded') {
      return {
        index,
        id: itemId,
        status: 'succeeded',
        output: stored.output,
        error: null,
        attempts: stored.attempts,
      };
    }
    const itemFrame = new Frame(this.#base, itemId, frame, { value: item, index });
    const at: Placement = { itemId, parentId: ownerId, idx: index };
    const first = (stored?.attempts ?? 0) + 1;
    const last = first + options.retries;
    const timeoutMs = options.timeoutMs ?? 0;
    const timedOut = (): TimeoutError =>
      new TimeoutError(`${itemId} timed out after ${timeoutMs / 1000} s`, timeoutMs);
    for (let attempt = first; ; attempt++) {
      const deadline = withTimeout(signal, timeoutMs, timedOut);
      try {
        const output = await this.#attempt(template, itemFrame, at, deadline.signal, attempt);
        return { index, id: itemId, status: 'succeeded', output, error: null, attempts: attempt };
      } catch (error) {
        if (error instanceof RunPausedSignal) throw error;
        if (signal.aborted || attempt >= last) {
          const status = statusOf(error, deadline.signal);
          const output = error instanceof StepError ? (error.output ?? null) : null;
          const message = messageOf(error, deadline.signal);
          throw new ItemFailure({ index, id: itemId, status, output, error: message, attempts: attempt });
        }
      } finally {
        deadline.dispose();
      }
    }
  }
}

/** The item status an error ends a step with. */
function statusOf(
  error: unknown,
  signal: AbortSignal,
): Exclude<ItemStatus, 'pending' | 'running' | 'skipped'> {
  if (signal.aborted) return signal.reason instanceof TimeoutError ? 'timed_out' : 'cancelled';
  if (error instanceof StepError) return error.status;
  return 'failed';
}

function messageOf(error: unknown, signal: AbortSignal): string {
  const cause: unknown = signal.aborted && !(error instanceof StepError) ? signal.reason : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Whether a stored status is how a step that ran ended without succeeding. */
function isFailure(status: ItemStatus | undefined): boolean {
  return status === 'failed' || status === 'timed_out';
}
