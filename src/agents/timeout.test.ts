import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '../config/index.js';
import { InvalidArgumentError, MAX_TIMER_MS } from '../core/index.js';
import { idleTimeoutOf, timeoutOf } from './timeout.js';

const profile = (timeout_s?: number): AgentProfile => ({
  type: 'cli',
  command: ['true'],
  ...(timeout_s === undefined ? {} : { timeout_s }),
});

describe('timeoutOf', () => {
  it('takes the request’s bound, else the profile’s, else the default, else no limit', () => {
    expect(timeoutOf(profile(5), { timeoutMs: 300 }, 9_000)).toBe(300);
    expect(timeoutOf(profile(5), {}, 9_000)).toBe(5_000);
    expect(timeoutOf(profile(), {}, 9_000)).toBe(9_000);
    expect(timeoutOf(profile(), {})).toBe(0);
  });

  it('means no limit beyond what a timer can wait, and keeps a tiny bound a bound', () => {
    expect(timeoutOf(profile(), { timeoutMs: MAX_TIMER_MS })).toBe(MAX_TIMER_MS);
    expect(timeoutOf(profile(), { timeoutMs: MAX_TIMER_MS + 1 })).toBe(0);
    expect(timeoutOf(profile(3_000_000), {}, 9_000)).toBe(0);
    expect(timeoutOf(profile(), { timeoutMs: 0.2 })).toBe(1);
  });

  it('is final: resolving a resolved bound again changes nothing', () => {
    for (const resolved of [0, 1, 300, MAX_TIMER_MS]) {
      expect(timeoutOf(profile(5), { timeoutMs: resolved }, 9_000)).toBe(resolved);
    }
  });

  it('refuses a bound that is not a number ≥ 0', () => {
    expect(() => timeoutOf(profile(), { timeoutMs: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('idleTimeoutOf', () => {
  const idle = (idle_timeout_s?: number): AgentProfile => ({
    type: 'cli',
    command: ['true'],
    ...(idle_timeout_s === undefined ? {} : { idle_timeout_s }),
  });

  it('takes the request’s bound, else the profile’s idle_timeout_s, else no limit', () => {
    expect(idleTimeoutOf(idle(5), { idleTimeoutMs: 300 })).toBe(300);
    expect(idleTimeoutOf(idle(5), {})).toBe(5_000);
    expect(idleTimeoutOf(idle(), {})).toBe(0);
    expect(idleTimeoutOf(idle(), { idleTimeoutMs: MAX_TIMER_MS + 1 })).toBe(0);
    expect(idleTimeoutOf(idle(), { idleTimeoutMs: 0.2 })).toBe(1);
  });

  it('is none for an OpenAI-compatible profile, and refuses a bound that is not a number ≥ 0', () => {
    const openai: AgentProfile = { type: 'openai', base_url: 'http://127.0.0.1:1/v1', model: 'm' };
    expect(idleTimeoutOf(openai, { idleTimeoutMs: 300 })).toBe(0);
    expect(() => idleTimeoutOf(idle(), { idleTimeoutMs: -1 })).toThrow(/`idleTimeoutMs`/);
  });
});
