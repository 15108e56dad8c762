import type { AgentProfile, RetryPolicy } from '../config/index.js';
import { sleep } from '../core/index.js';
import { runAgent } from './run-agent.js';
import type { AgentRequest, AgentResult, RunAgentOptions } from './types.js';

/** The longest wait between two attempts (5 minutes), whatever `backoff_s` and the attempt count say. */
export const MAX_BACKOFF_MS = 300_000;

/** Options of `runAgentWithRetry`. */
export interface RunAgentWithRetryOptions extends RunAgentOptions {
  /**
   * Called when attempt `attempt` (from 1) failed on a rate limit and the next one starts in `delayMs`.
   * @default undefined
   */
  readonly onRetry?: (attempt: number, delayMs: number) => void;
}

/** The last run's result and how many runs it took. */
export interface AgentRetryResult extends AgentResult {
  /** Runs made, the first included (≥ 1). */
  readonly attempts: number;
}

/**
 * The wait before the attempt after `attempt` (from 1): the endpoint's `Retry-After` when it gave one,
 * else `backoff_s` × 2^(attempt − 1) seconds; at most `MAX_BACKOFF_MS`.
 */
export function backoffDelayMs(
  policy: RetryPolicy | undefined,
  attempt: number,
  retryAfterMs?: number,
): number {
  const delay = retryAfterMs ?? (policy?.backoff_s ?? 0) * 1000 * 2 ** (attempt - 1);
  return Math.round(Math.min(delay, MAX_BACKOFF_MS));
}

/**
 * Runs an agent like `runAgent`, and again while a run fails on its provider's rate limit (`rateLimited`,
 * see the profile's `retry`), up to `retry.attempts` runs in all, waiting `backoffDelayMs` between them.
 * Other failures, timeouts and cancels are not tried again. The timeout applies to each run.
 *
 * Aborting the signal during a wait ends it at once: the result is the last run's, with status
 * `cancelled`.
 *
 * @throws what `runAgent` throws.
 */
export async function runAgentWithRetry(
  profile: AgentProfile,
  request: AgentRequest,
  options: RunAgentWithRetryOptions = {},
): Promise<AgentRetryResult> {
  const maxAttempts = profile.retry?.attempts ?? 1;
  for (let attempt = 1; ; attempt += 1) {
    const result = await runAgent(profile, request, options);
    if (result.status !== 'failed' || !result.rateLimited || attempt >= maxAttempts) {
      return { ...result, attempts: attempt };
    }
    const delayMs = backoffDelayMs(profile.retry, attempt, result.retryAfterMs);
    options.onRetry?.(attempt, delayMs);
    try {
      await sleep(delayMs, options.signal);
    } catch (error) {
      // Only an abort ends the wait early: that is a cancel, reported as the last run's result.
      if (options.signal?.aborted !== true) throw error;
      return {
        ...result,
        status: 'cancelled',
        rateLimited: false,
        error: 'cancelled while waiting to try again',
        attempts: attempt,
      };
    }
  }
}
