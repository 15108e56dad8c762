import type { AgentProfile } from '../config/index.js';
import { InvalidArgumentError, MAX_TIMER_MS } from '../core/index.js';

/**
 * The milliseconds a run may take: the request's `timeoutMs`, else the profile's `timeout_s`, else no limit
 * (`0`). Longer than a timer can wait means no limit too.
 *
 * @throws {InvalidArgumentError} when `request.timeoutMs` is not a number ≥ 0.
 */
export function timeoutOf(profile: AgentProfile, request: { readonly timeoutMs?: number }): number {
  const { timeoutMs } = request;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
    throw new InvalidArgumentError(
      `Expected \`timeoutMs\` to be a number of milliseconds ≥ 0, got ${String(timeoutMs)} (${typeof timeoutMs})`,
    );
  }
  const ms = timeoutMs ?? (profile.timeout_s ?? 0) * 1000;
  return ms > MAX_TIMER_MS ? 0 : Math.round(ms);
}
