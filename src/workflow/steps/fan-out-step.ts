import { describeValue } from '../../config/index.js';
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

/**
 * What a fan-out step's `output` holds. `results`, `items` and `item_count` are spec-kit's (a file reading
 * `steps.fan.output.results[1].stdout` gets what spec-kit gives); `records` says how each item ran.
 */
export interface FanOutOutput {
  /** Each item's output in item order (`null` for one that produced none); after a halt, the prefix. */
  readonly results: readonly unknown[];
  /** One record per item, in the same order: index, id, status, output, error, attempts. */
  readonly records: readonly ItemResult[];
  /** The items fanned out over. */
  readonly items: readonly unknown[];
  readonly item_count: number;
  readonly counts: FanOutCounts;
  /** The bound as resolved. */
  readonly max_concurrency: number;
  readonly halted: boolean;
}

/**
 * `fan-out`: the template once per item in a sliding window of `max_concurrency`, results in item order.
 * Without `continue_on_error` the first failure halts it (nothing new starts, later running items are
 * cancelled, earlier ones finish) and fails the step; with it every item runs and the step succeeds.
 */
export const fanOutStep: StepType<FanOutStep> = {
  ...builtinSchema('fan-out'),
  async execute(step, context) {
    const items = renderValue(step.items, context.scope);
    if (!Array.isArray(items)) {
      const found = items === null ? 'null' : typeof items;
      throw new StepError(`${step.id}: items must evaluate to a list, got ${found}`);
    }
    const concurrency = concurrencyOf(step, renderValue(step.max_concurrency, context.scope));
    const outcome = await context.runItems(step.step, items, {
      concurrency,
      continueOnError: step.continue_on_error === true,
      retries: step.retries,
      ...(step.timeout_s === undefined ? {} : { timeoutMs: step.timeout_s * 1000 }),
    });
    const output: FanOutOutput = {
      results: outcome.results.map((result) => result.output ?? null),
      records: outcome.results,
      items,
      item_count: items.length,
      counts: countsOf(outcome.results, items.length),
      max_concurrency: concurrency,
      halted: outcome.halted,
    };
    if (outcome.halted) {
      const failed = outcome.results[outcome.haltIndex!];
      throw new StepError(
        `${step.id}: item ${outcome.haltIndex} ${failed?.status ?? 'failed'}: ${failed?.error ?? ''}`,
        { status: 'failed', output },
      );
    }
    return output;
  },
};

/**
 * `max_concurrency` as resolved: an integer ≥ 1, or an integer written as text (`"3"`, as an input or an
 * expression gives it). Anything else fails the step naming the value — never a silent fallback to 1.
 */
function concurrencyOf(step: FanOutStep, value: unknown): number {
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 1) return number;
  throw new StepError(`${step.id}: max_concurrency: expected an integer ≥ 1, got ${describeValue(value)}`);
}

function countsOf(results: readonly ItemResult[], total: number): FanOutCounts {
  const counts = { total, succeeded: 0, failed: 0, timed_out: 0, cancelled: 0, skipped: 0 };
  for (const result of results) counts[result.status]++;
  counts.skipped = total - results.length;
  return counts;
}
