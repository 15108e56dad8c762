import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliAgentProfile, RetryPolicy } from '../config/index.js';
import { backoffDelayMs, MAX_BACKOFF_MS, runAgentWithRetry, type AgentRequest } from './index.js';

const FLAKY = fileURLToPath(new URL('./fixtures/flaky-agent.mjs', import.meta.url));

let dir: string;
let counter: string;
let request: AgentRequest;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-retry-'));
  counter = join(dir, 'runs');
  request = { jobId: 'job-1', prompt: 'p', workspace: dir };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The flaky fixture: fails `failures` times with `exitCode` and `message` on stderr, then succeeds. */
function flaky(failures: number, exitCode: number, message: string, retry: RetryPolicy): CliAgentProfile {
  return {
    type: 'cli',
    command: [process.execPath, FLAKY, counter, String(failures), String(exitCode), message],
    retry,
  };
}

const runs = (): number => Number(readFileSync(counter, 'utf8'));

describe('runAgentWithRetry', () => {
  it('tries again on a retry exit code until a run succeeds', async () => {
    const retries: [number, number][] = [];
    const result = await runAgentWithRetry(
      flaky(2, 75, 'busy', { on_exit: [75], attempts: 3, backoff_s: 0 }),
      request,
      { onRetry: (attempt, delayMs) => retries.push([attempt, delayMs]) },
    );
    expect(result).toMatchObject({ status: 'succeeded', attempts: 3, exitCode: 0, output: 'ok 3' });
    expect(retries).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(runs()).toBe(3);
  });

  it('tries again when a line of output matches an on_output pattern, case-insensitively', async () => {
    const result = await runAgentWithRetry(
      flaky(1, 1, 'Error: Rate Limit exceeded (HTTP 429)', {
        on_output: ['rate limit'],
        attempts: 2,
        backoff_s: 0,
      }),
      request,
    );
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(runs()).toBe(2);
  });

  it('gives up after `attempts` runs with the last, rate-limited, result', async () => {
    const result = await runAgentWithRetry(
      flaky(5, 75, 'busy', { on_exit: [75], attempts: 2, backoff_s: 0 }),
      request,
    );
    expect(result).toMatchObject({ status: 'failed', exitCode: 75, rateLimited: true, attempts: 2 });
    expect(runs()).toBe(2);
  });

  it('does not try again a failure that is not a rate limit', async () => {
    const result = await runAgentWithRetry(
      flaky(5, 1, 'syntax error', { on_exit: [75], on_output: ['rate limit'], attempts: 3, backoff_s: 0 }),
      request,
    );
    expect(result).toMatchObject({ status: 'failed', exitCode: 1, rateLimited: false, attempts: 1 });
    expect(runs()).toBe(1);
  });

  it('runs once without a retry policy', async () => {
    const profile: CliAgentProfile = { type: 'cli', command: [process.execPath, FLAKY, counter, '5', '75'] };
    const result = await runAgentWithRetry(profile, request);
    expect(result).toMatchObject({ status: 'failed', rateLimited: false, attempts: 1 });
  });

  it('ends a wait at once when the signal aborts, as cancelled', async () => {
    const controller = new AbortController();
    const result = await runAgentWithRetry(
      flaky(5, 75, 'busy', { on_exit: [75], attempts: 3, backoff_s: 3600 }),
      request,
      { signal: controller.signal, onRetry: () => controller.abort() },
    );
    expect(result).toMatchObject({ status: 'cancelled', exitCode: 75, attempts: 1 });
    expect(runs()).toBe(1);
  });
});

describe('backoffDelayMs', () => {
  it('doubles backoff_s each attempt, up to MAX_BACKOFF_MS', () => {
    const policy: RetryPolicy = { backoff_s: 30 };
    expect([1, 2, 3].map((attempt) => backoffDelayMs(policy, attempt))).toEqual([30_000, 60_000, 120_000]);
    expect(backoffDelayMs(policy, 20)).toBe(MAX_BACKOFF_MS);
    expect(backoffDelayMs(undefined, 1)).toBe(0);
  });

  it('prefers the endpoint’s Retry-After', () => {
    expect(backoffDelayMs({ backoff_s: 30 }, 1, 2_000)).toBe(2_000);
  });
});
