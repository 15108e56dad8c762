import { describeValue } from '../../config/index.js';
import { REJECT_CHOICES, type GateStep } from '../format/index.js';
import { renderString } from '../expressions/index.js';
import {
  RunPausedSignal,
  StepError,
  type GateDecision,
  type StepContext,
  type StepType,
} from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** What a gate step's `output` holds once decided. */
export interface GateOutput {
  /** Whether the choice approves (any option but `reject` and `abort`). */
  readonly approved: boolean;
  /** The option chosen, as the file spells it (spec-kit's `output.choice`). */
  readonly choice: string;
  /** Who decided: a user, `tty`, `api`, or `input:NAME` for a verdict input. */
  readonly by: string | null;
  readonly comment: string | null;
  /** Set when a rejection let the run go on (`on_reject: skip`). */
  readonly skipped?: true;
  /** Set when a rejection stopped the run (`on_reject: abort`). */
  readonly aborted?: true;
}

/**
 * `gate`: a human decision among `options`. A verdict input with a value decides at once; otherwise the
 * engine's approver asks at a terminal, and without one the run pauses until someone decides through
 * the API or `flotilla runs approve`. A rejection (`reject` or `abort`) fails the run (`on_reject: abort`),
 * lets it go on (`skip`) or pauses again for another decision (`retry`).
 */
export const gateStep: StepType<GateStep> = {
  ...builtinSchema('gate'),
  async execute(step, context) {
    const question = renderString(step.message, context.scope);
    const decision = verdictOf(step, context) ?? (await context.decide(question, step.options));
    if (decision === undefined) throw new RunPausedSignal(context.itemId, question, step.options);
    const choice = choiceOf(step, decision);
    const rejects = REJECT_CHOICES.includes(choice.toLowerCase());
    const by = decision.by ?? null;
    const comment = decision.comment ?? null;
    const output: GateOutput = { approved: !rejects, choice, by, comment };
    if (!rejects) return output;
    if (step.on_reject === 'skip') return { ...output, skipped: true };
    if (step.on_reject === 'retry') {
      // The verdict is consumed, so the next resume asks again instead of rejecting forever.
      if (step.verdict_input !== undefined && by === `input:${step.verdict_input}`) {
        context.setInput(step.verdict_input, '');
      }
      throw new RunPausedSignal(context.itemId, question, step.options);
    }
    const reason = comment === null ? '' : `: ${comment}`;
    const said = choice.toLowerCase() === 'abort' ? 'aborted' : 'rejected';
    throw new StepError(`${step.id}: ${said}${by === null ? '' : ` by ${by}`}${reason}`, {
      output: { ...output, aborted: true },
      aborts: true,
    });
  },
};

/**
 * The decision a verdict input holds: a non-empty value must be one of the options (case-insensitive);
 * empty or missing leaves the decision to a human.
 * @throws StepError for a value that is not an option.
 */
function verdictOf(step: GateStep, context: StepContext): GateDecision | undefined {
  if (step.verdict_input === undefined) return undefined;
  const value = context.scope.inputs[step.verdict_input];
  if (value === undefined || value === null || value === '') return undefined;
  const choice =
    typeof value === 'string'
      ? step.options.find((option) => option.toLowerCase() === value.trim().toLowerCase())
      : undefined;
  if (choice === undefined) {
    throw new StepError(
      `${step.id}: verdict input "${step.verdict_input}" is ${describeValue(value)}, not one of: ${step.options.join(', ')}`,
    );
  }
  return {
    approved: !REJECT_CHOICES.includes(choice.toLowerCase()),
    choice,
    by: `input:${step.verdict_input}`,
  };
}

/** The option a decision chose, as the file spells it; a bare approve/reject picks the matching option. */
function choiceOf(step: GateStep, decision: GateDecision): string {
  const wanted = decision.choice?.toLowerCase();
  if (wanted !== undefined) {
    return step.options.find((option) => option.toLowerCase() === wanted) ?? decision.choice!;
  }
  const approving = (option: string): boolean => !REJECT_CHOICES.includes(option.toLowerCase());
  const found = decision.approved ? step.options.find(approving) : step.options.find((o) => !approving(o));
  return found ?? (decision.approved ? 'approve' : 'reject');
}
