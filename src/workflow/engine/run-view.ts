import type { ItemStatus, RunStatus } from '../../events/index.js';
import type { RunItemRecord, RunRecord } from '../../store/index.js';
import type { RunSpec } from './run-spec.js';

/** One step of a run as the API and `--json` show it. */
export interface RunStepView {
  readonly status: ItemStatus;
  readonly output: unknown;
  readonly error: string | null;
  readonly attempts: number;
  readonly started_at: string | null;
  readonly finished_at: string | null;
}

/** How many items of the run (fan-out items included) are in each status. */
export type ItemCounts = Readonly<Partial<Record<ItemStatus, number>>> & { readonly total: number };

/** A gate the run waits at. */
export interface WaitingGate {
  readonly item_id: string;
  readonly step_id: string | null;
  readonly message: string | null;
}

/** A run as the API and `flotilla runs show --json` show it. */
export interface RunView {
  readonly id: string;
  readonly kind: string;
  readonly name: string | null;
  readonly status: RunStatus;
  readonly workflow: {
    readonly id: string;
    readonly name: string | null;
    readonly file: string | null;
  } | null;
  readonly inputs: unknown;
  readonly error: string | null;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  /** Steps that run once per run (not per fan-out item), by id: `steps.ID.output` as in expressions. */
  readonly steps: Readonly<Record<string, RunStepView>>;
  readonly items: ItemCounts;
  /** The gates waiting for a decision (when paused). */
  readonly waiting: readonly WaitingGate[];
}

/** The view of a run and its item records. */
export function toRunView(run: RunRecord, items: readonly RunItemRecord[]): RunView {
  const spec = run.spec as RunSpec | null;
  const steps: Record<string, RunStepView> = {};
  const counts: Partial<Record<ItemStatus, number>> & { total: number } = { total: 0 };
  const waiting: WaitingGate[] = [];
  for (const item of items) {
    counts.total++;
    counts[item.status] = (counts[item.status] ?? 0) + 1;
    if (isWaitingGate(item)) waiting.push(waitingGate(item));
    // A step outside every fan-out is stored under its own id; items and their inner steps have prefixes.
    if (item.stepId !== null && item.itemId === item.stepId) steps[item.stepId] = stepView(item);
  }
  const definition = spec?.definition;
  return {
    id: run.id,
    kind: run.kind,
    name: run.name,
    status: run.status,
    workflow:
      definition === undefined
        ? null
        : {
            id: definition.workflow.id,
            name: definition.workflow.name ?? null,
            file: definition.file ?? null,
          },
    inputs: run.inputs,
    error: run.error,
    created_at: run.createdAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    steps: orderedSteps(steps, spec),
    items: counts,
    waiting,
  };
}

function stepView(item: RunItemRecord): RunStepView {
  return {
    status: item.status,
    output: item.output,
    error: item.error,
    attempts: item.attempts,
    started_at: item.startedAt,
    finished_at: item.finishedAt,
  };
}

/**
 * Whether a record is a gate waiting for a decision: pending with its question. The steps that hold it
 * (an `if`, a loop) are pending too while it waits, without a question of their own.
 */
export function isWaitingGate(item: RunItemRecord): boolean {
  return item.status === 'pending' && (item.output as { waiting?: unknown } | null)?.waiting === true;
}

function waitingGate(item: RunItemRecord): WaitingGate {
  const output = item.output as { message?: unknown } | null;
  return {
    item_id: item.itemId,
    step_id: item.stepId,
    message: typeof output?.message === 'string' ? output.message : null,
  };
}

/** The steps in the order of the workflow file (records come in index order, which mixes levels). */
function orderedSteps(steps: Record<string, RunStepView>, spec: RunSpec | null): Record<string, RunStepView> {
  if (spec === null) return steps;
  const ordered: Record<string, RunStepView> = {};
  for (const id of spec.stepOrder ?? []) if (steps[id] !== undefined) ordered[id] = steps[id];
  return { ...ordered, ...steps };
}

/** A run without its steps, for lists. */
export type RunSummary = Omit<RunView, 'steps' | 'items' | 'waiting'>;

/** The summary of a run, from its record alone. */
export function toRunSummary(run: RunRecord): RunSummary {
  const { steps: _steps, items: _items, waiting: _waiting, ...summary } = toRunView(run, []);
  return summary;
}
