import type { AgentProfile } from '../config/index.js';
import { InvalidArgumentError, MAX_TIMER_MS } from '../core/index.js';

/**
 * The milliseconds a run may take, `0` for no limit: the request's `timeoutMs`, else the profile's
 * `timeout_s`, else `defaultMs`. Longer than a timer can wait (`MAX_TIMER_MS`) means no limit too,
 * because a timer handed more fires at once; a positive bound never rounds down to "no limit".
 *
 * The result is final: resolved again it stays the same, so a job resolves it once and gives it to both
 * its agent and its verify command.
 *
 * @param defaultMs - the bound when neither the request nor the profile sets one; `0` (the default) for
 *   no limit.
 * @throws {InvalidArgumentError} when `request.timeoutMs` is not a number ≥ 0.
 */
export function timeoutOf(
  profile: AgentProfile,
  request: { readonly timeoutMs?: number | undefined },
  defaultMs = 0,
): number {
  const { timeoutMs } = request;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
    throw new InvalidArgumentError(
      `Expected \`timeoutMs\` to be a number of milliseconds ≥ 0, got ${String(timeoutMs)} (${typeof timeoutMs})`,
    );
  }
  const ms = timeoutMs ?? ((profile.timeout_s ?? 0) * 1000 || defaultMs);
  if (!(ms > 0) || ms > MAX_TIMER_MS) return 0;
  return Math.max(1, Math.round(ms));
}
