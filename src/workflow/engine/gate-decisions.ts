import { nowIso, type EventBus } from '../../events/index.js';
import type { RunRecord, Store } from '../../store/index.js';
import { RunState } from './run-state.js';
import { isWaitingGate } from './run-view.js';
import { RunError } from './step-error.js';
import type { GateDecision } from './step-type.js';

/** Where a gate's record keeps the decision `approve` wrote, until the resumed run reads it. */
const GATE_DECISION_KEY = 'decision';

/**
 * Records a human's decision at the gate paused run `run` waits at (the only one, or `itemId`), checking
 * a `choice` against the gate's options. It does not resume the run.
 * @returns the gate's item id.
 * @throws RunError `E_RUN_NOT_WAITING` when the run waits at no such gate; `E_INVALID_ARGUMENT` when the
 *   gate has no such option.
 */
export function recordDecision(
  store: Store,
  run: RunRecord,
  decision: GateDecision,
  itemId: string | undefined,
  bus?: EventBus,
): string {
  const gates = store.items.listForRun(run.id).filter(isWaitingGate);
  const gate = itemId === undefined ? gates[0] : gates.find((item) => item.itemId === itemId);
  if (run.status !== 'paused' || gate === undefined) {
    const where = itemId === undefined ? '' : ` at ${itemId}`;
    throw new RunError(
      'E_RUN_NOT_WAITING',
      `Run ${run.id} waits for no approval${where} (it is ${run.status})`,
    );
  }
  const choices = (gate.output as { options?: unknown } | null)?.options;
  const { choice } = decision;
  if (
    choice !== undefined &&
    Array.isArray(choices) &&
    !choices.some((option) => sameChoice(option, choice))
  ) {
    const message = `${gate.itemId} has no option "${choice}" (options: ${choices.join(', ')})`;
    throw new RunError('E_INVALID_ARGUMENT', message);
  }
  const output = {
    ...(gate.output as object | null),
    [GATE_DECISION_KEY]: { ...decision, decided_at: nowIso() },
  };
  new RunState(store, run.id, bus).writeItem({
    itemId: gate.itemId,
    idx: gate.idx,
    status: 'pending',
    output,
  });
  return gate.itemId;
}

/** A gate's decision recorded by `recordDecision`, if any. */
export function decisionOf(output: unknown): GateDecision | undefined {
  if (output === null || typeof output !== 'object') return undefined;
  const decision = (output as Record<string, unknown>)[GATE_DECISION_KEY];
  if (decision === null || typeof decision !== 'object') return undefined;
  const { approved, choice, by, comment } = decision as Record<string, unknown>;
  if (typeof approved !== 'boolean') return undefined;
  return {
    approved,
    ...(typeof choice === 'string' ? { choice } : {}),
    ...(typeof by === 'string' ? { by } : {}),
    ...(typeof comment === 'string' ? { comment } : {}),
  };
}

/** Whether a gate's option is `choice`, as spec-kit compares them (case-insensitive). */
function sameChoice(option: unknown, choice: string): boolean {
  return typeof option === 'string' && option.toLowerCase() === choice.toLowerCase();
}
