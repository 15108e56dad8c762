import type { Limiter } from '../../core/index.js';
import type { OutputStream } from '../../events/index.js';
import type { JobScheduler } from '../../jobs/index.js';
import type { StepBase, StepDefinition, StepSchema } from '../format/index.js';
import type { ExpressionScope } from '../expressions/index.js';

/** What a human is asked at a `gate`. */
export interface GateRequest {
  readonly runId: string;
  readonly itemId: string;
  readonly stepId: string;
  readonly message: string;
  /** The choices (`approve`, `reject`, …); `reject` and `abort` reject. */
  readonly options: readonly string[];
}

/** A human's answer at a `gate`. */
export interface GateDecision {
  readonly approved: boolean;
  /** Which of the gate's options was chosen; absent: `approve` or `reject` as `approved` says. */
  readonly choice?: string;
  /** Who decided (a user name, `api`, `tty`), for the record. */
  readonly by?: string;
  readonly comment?: string;
}

/**
 * Everything a step needs while it runs. The engine makes one per execution; it is valid only until the
 * step's promise settles.
 */
export interface StepContext {
  readonly runId: string;
  /** The id the execution is stored under: `ID` at the top, `PARENT:TEMPLATE:INDEX` in a fan-out. */
  readonly itemId: string;
  /** Aborted on cancel, on a halt of the enclosing fan-out and on the item's timeout (reason: `TimeoutError`). */
  readonly signal: AbortSignal;
  /** What expressions see here: inputs, earlier steps (nearest scope first), `item`, `index`, `context`. */
  readonly scope: ExpressionScope;
  /** The folder relative paths of the workflow (`cwd` of a shell step) resolve against: where the run started. */
  readonly baseDir: string;
  /** The workflow file's folder (`context.workflow_dir`); `''` for a workflow from text. */
  readonly workflowDir: string;
  /** The agent profile `command` and `prompt` steps use when they name none (`workflow.integration`). */
  readonly defaultIntegration?: string;
  /** The configuration's agent profiles, when the engine knows them. */
  readonly agents?: readonly string[];
  /** The environment processes start with (before a step's own `env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Records a line of the step's output as an `item.log` event. */
  log(stream: OutputStream, line: string): void;
  /**
   * Runs `steps` in order under this execution (`if` branches, `switch` cases), each skipped when a
   * previous attempt already finished it. With `namespace` (a loop's iteration), they run in a scope of
   * their own and are stored as `ITEM_ID:NAMESPACE:STEP_ID`, so each iteration keeps its own records.
   * @returns the outputs by step id. Rejects with the first failing step's error.
   */
  runSteps(
    steps: readonly StepDefinition[],
    options?: {
      readonly namespace?: string;
      /**
       * With `namespace`: outputs the steps see for ids not yet run in this scope (a loop's previous
       * iterations), before the enclosing scope's.
       */
      readonly earlier?: Readonly<Record<string, unknown>>;
    },
  ): Promise<Readonly<Record<string, unknown>>>;
  /**
   * Runs `step` once per item in a sliding window of `concurrency` (the fan-out's machinery), each item
   * stored as `ITEM_ID:TEMPLATE:INDEX` with `item` and `index` in scope.
   */
  runItems(step: StepDefinition, items: readonly unknown[], options: ItemsOptions): Promise<ItemsOutcome>;
  /** A gate's stored or asked decision; `undefined` when nobody can answer now (the run pauses). */
  decide(message: string, options: readonly string[]): Promise<GateDecision | undefined>;
  /** Changes one of the run's inputs, stored at once (a gate's verdict input, consumed by `retry`). */
  setInput(name: string, value: unknown): void;
}

/** Options of `StepContext.runItems`. */
export interface ItemsOptions {
  readonly concurrency: number;
  readonly continueOnError: boolean;
  readonly retries: number;
  readonly timeoutMs?: number;
}

/** The result of one item of a fan-out, in `output.results[index]`. */
export interface ItemResult {
  readonly index: number;
  readonly id: string;
  readonly status: 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  readonly output: unknown;
  readonly error: string | null;
  readonly attempts: number;
}

/** What `runItems` gives back. */
export interface ItemsOutcome {
  /** In item order; when halted, the prefix up to and including the halting item. */
  readonly results: readonly ItemResult[];
  readonly halted: boolean;
  readonly haltIndex?: number;
}

/**
 * What the runtime lends to the step types that ask for it (`StepType.needs`). The workflow engine
 * knows nothing of where these come from: the composition root (`openRuntime`) provides them.
 */
export interface StepServices {
  /** The scheduler that agent jobs go through: the same queue, bound and isolation as the HTTP API's. */
  readonly jobs: JobScheduler;
  /**
   * The bound on processes that steps start themselves (a `shell` step's command): each runs inside one
   * of its slots, so a server's `concurrency` bounds them as it bounds jobs.
   */
  readonly processes: Pick<Limiter, 'run'>;
}

/** A service a step type may need: a key of `StepServices`. */
export type StepNeed = keyof StepServices;

/**
 * A step type: how to validate a step (the loader's `StepSchema`), what it needs from the runtime, and
 * how to run one. `execute` returns the step's `output` (what `steps.ID.output` gives later) or throws to
 * fail the step. A capability (planner, QA, suites) exports its step types; the runtime registers them.
 *
 * `N` is what the type needs (`needs`): `execute` gets exactly those services, and a workflow that uses
 * the type gets them started before it runs (`WorkflowEngine.needs`).
 */
export interface StepType<
  S extends StepBase = StepDefinition,
  N extends StepNeed = never,
> extends StepSchema {
  /** The services `execute` uses; absent: none. */
  readonly needs?: readonly N[];
  execute(step: S, context: StepContext, services: Pick<StepServices, N>): Promise<unknown>;
}

/** A step type of any step and any needs: what registries hold. */
export type AnyStepType = StepType<StepBase, StepNeed>;
