import type { EventBus } from '../../events/index.js';
import type { Store } from '../../store/index.js';
import type { EngineRunKind } from './run-spec.js';
import type { RunView } from './run-view.js';
import type { AnyStepType, GateDecision, GateRequest, StepServices } from './step-type.js';

/** How long a run's lease lasts without a heartbeat, by default. */
export const DEFAULT_LEASE_TTL_MS = 30_000;
/** How often a driving process renews its lease and looks for a cancel from elsewhere, by default. */
export const DEFAULT_HEARTBEAT_MS = 2_000;

/** Options of `WorkflowEngine`. */
export interface WorkflowEngineOptions {
  readonly store: Store;
  /** Where run, item and log events are published live (they are stored either way). */
  readonly bus?: EventBus;
  /** Every step type the engine runs: `BUILTIN_STEP_TYPES` and those of the capabilities registered. */
  readonly stepTypes: readonly AnyStepType[];
  /**
   * What the runtime lends to the step types that need it (`StepType.needs`); a step whose type needs
   * a service absent here fails with a message that says so.
   * @default no job scheduler; `processes` without a bound
   */
  readonly services?: Partial<StepServices>;
  /**
   * The environment processes of `shell` steps start with.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The configuration's agent profiles: workflow files are checked against them at load (`integration:`,
   * `requires.integrations`), and `integration: auto` picks the only one. @default not checked
   */
  readonly agents?: readonly string[];
  /** Asks a human at a gate (a terminal prompt); without it, or when it answers `undefined`, the run pauses. */
  readonly approver?: (request: GateRequest) => Promise<GateDecision | undefined>;
  /** @default DEFAULT_LEASE_TTL_MS */
  readonly leaseTtlMs?: number;
  /** @default DEFAULT_HEARTBEAT_MS */
  readonly heartbeatMs?: number;
  /**
   * How often a started engine looks for runs whose driving process died, to mark them `interrupted`.
   * @default heartbeatMs
   */
  readonly reapIntervalMs?: number;
}

/** Options of `WorkflowEngine.run`. */
export interface StartOptions {
  /** What the run is listed as. @default 'workflow' */
  readonly kind?: EngineRunKind;
  /** Input values as `--input k=v` gives them: strings converted to the declared types. */
  readonly fromStrings?: boolean;
  /**
   * Where relative paths resolve and shell steps run: where the run was started, as spec-kit, make and
   * npm scripts do (the file's folder is `context.workflow_dir`). @default process.cwd()
   */
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
