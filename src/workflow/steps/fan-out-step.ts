import type { FanOutStep } from '../format/index.js';
import { renderValue } from '../expressions/index.js';
import { StepError, type ItemResult, type StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** How many items ended each way. */
export interface FanOutCounts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timed_out: number;
  readonly cancelled: number;
  /** Items after the halting one, cut from the results: cancelled while running, or never started. */
  readonly skipped: number;
}

/** What a fan-out step's `output` holds. */
export interface FanOutOutput {
  /** One per item in item order; after a halt, the prefix up to and including the halting item. */
  readonly results: readonly ItemResult[];
  readonly counts: FanOutCounts;
  readonly max_concurrency: number;
  readonly halted: boolean;
}

/**
 * `fan-out`: the template once per item in a sliding window of `max_concurrency`, results in item order.
 * With `continue_on_error: false` the first failure halts it (nothing new starts, later running items are
 * cancelled, earlier ones finish) and fails the step; with `true` every item runs and the step succeeds.
 */
export const fanOutStep: StepType<FanOutStep> = {
  ...builtinSchema('fan-out'),
  async execute(step, context) {
    const items = renderValue(step.items, context.scope);
    if (!Array.isArray(items)) {
      const found = items === null ? 'null' : typeof items;
      throw new StepError(`${step.id}: items must evaluate to a list, got ${found}`);
    }
    const outcome = await context.runItems(step.step, items, {
      concurrency: step.max_concurrency,
      continueOnError: step.continue_on_error,
      retries: step.retries,
      ...(step.timeout_s === undefined ? {} : { timeoutMs: step.timeout_s * 1000 }),
    });
    const output: FanOutOutput = {
      results: outcome.results,
      counts: countsOf(outcome.results, items.length),
      max_concurrency: step.max_concurrency,
      halted: outcome.halted,
    };
    if (outcome.halted) {
      const failed = outcome.results[outcome.haltIndex!];
      throw new StepError(
        `${step.id}: item ${outcome.haltIndex} ${failed?.status ?? 'failed'}: ${failed?.error ?? ''}`,
        {
          status: 'failed',
          output,
        },
      );
    }
    return output;
  },
};

function countsOf(results: readonly ItemResult[], total: number): FanOutCounts {
  const counts = { total, succeeded: 0, failed: 0, timed_out: 0, cancelled: 0, skipped: 0 };
  for (const result of results) counts[result.status]++;
  counts.skipped = total - results.length;
  return counts;
}
