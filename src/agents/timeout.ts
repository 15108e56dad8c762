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
  assertMs('timeoutMs', timeoutMs);
  return timerBound(timeoutMs ?? ((profile.timeout_s ?? 0) * 1000 || defaultMs));
}

/**
 * The milliseconds a CLI agent may go without output before it is stopped as `stalled`, `0` for no
 * limit: the request's `idleTimeoutMs`, else the profile's `idle_timeout_s`. Bounded as `timeoutOf`.
 * An OpenAI-compatible profile has none: its answer is one response, with nothing to time in between.
 *
 * @throws {InvalidArgumentError} when `request.idleTimeoutMs` is not a number ≥ 0.
 */
export function idleTimeoutOf(
  profile: AgentProfile,
  request: { readonly idleTimeoutMs?: number | undefined },
): number {
  const { idleTimeoutMs } = request;
  assertMs('idleTimeoutMs', idleTimeoutMs);
  if (profile.type === 'openai') return 0;
  return timerBound(idleTimeoutMs ?? (profile.idle_timeout_s ?? 0) * 1000);
}

function assertMs(name: string, ms: number | undefined): void {
  if (ms !== undefined && !(typeof ms === 'number' && ms >= 0)) {
    throw new InvalidArgumentError(
      `Expected \`${name}\` to be a number of milliseconds ≥ 0, got ${String(ms)} (${typeof ms})`,
    );
  }
}

/** `ms` as a timer's bound: `0` (no limit) when not positive or beyond `MAX_TIMER_MS`, else ≥ 1. */
function timerBound(ms: number): number {
  if (!(ms > 0) || ms > MAX_TIMER_MS) return 0;
  return Math.max(1, Math.round(ms));
}
