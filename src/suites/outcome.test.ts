import { describe, expect, it } from 'vitest';
import { attemptStatus, mergeTests, suiteStatus, type AttemptEnd } from './outcome.js';
import type { ParsedReport, TestCase, TestOutcome } from './types.js';

const exited = (exitCode: number | null, signal: string | null = null): AttemptEnd => ({
  exitCode,
  signal,
  timedOut: false,
  stalled: false,
  cancelled: false,
});

function test(name: string, outcome: TestOutcome, message?: string): TestCase {
  return {
    id: `a.test.ts › ${name}`,
    file: 'a.test.ts',
    titlePath: [name],
    outcome,
    durationMs: 5,
    ...(message === undefined ? {} : { message }),
  };
}

const report = (...tests: TestCase[]): { kind: 'parsed'; report: ParsedReport } => ({
  kind: 'parsed',
  report: { format: 'junit', tests },
});

describe('attemptStatus', () => {
  it('reads failures from the report whatever the exit code', () => {
    expect(attemptStatus(exited(1), report(test('x', 'failed')))).toEqual({
      status: 'failed',
      error: '1 test failed',
    });
    expect(attemptStatus(exited(0), report(test('x', 'failed'), test('y', 'failed'))).status).toBe('failed');
  });

  it('calls a non-zero exit with a report without failures a crash, never a pass', () => {
    expect(attemptStatus(exited(134), report(test('x', 'passed')))).toEqual({
      status: 'error',
      error: 'exit code 134, though its report has no failures (a crash?)',
    });
    expect(attemptStatus(exited(null, 'SIGSEGV'), report(test('x', 'passed'))).status).toBe('error');
  });

  it('is no_report when it exited 0 without writing its report, error when it also failed', () => {
    expect(attemptStatus(exited(0), { kind: 'missing', path: '{out}/r.xml', stale: false })).toEqual({
      status: 'no_report',
      error: 'exited 0 but wrote no report at {out}/r.xml',
    });
    expect(attemptStatus(exited(2), { kind: 'missing', path: 'r.xml', stale: true })).toEqual({
      status: 'error',
      error: 'exit code 2, and left r.xml as it was before the attempt (a stale report is never read)',
    });
  });

  it('is error for a report it cannot read, and decides by exit code when none is declared', () => {
    expect(attemptStatus(exited(0), { kind: 'unreadable', reason: 'not XML' }).status).toBe('error');
    expect(attemptStatus(exited(0), { kind: 'none-declared' })).toEqual({ status: 'passed', error: null });
    expect(attemptStatus(exited(1), { kind: 'none-declared' })).toEqual({
      status: 'failed',
      error: 'exit code 1',
    });
  });

  it('puts a timeout, an idle timeout and a cancel before anything the report says', () => {
    const base = exited(null, 'SIGTERM');
    expect(attemptStatus({ ...base, timedOut: true, limitS: 5 }, report()).error).toBe('timed out after 5 s');
    expect(attemptStatus({ ...base, stalled: true, limitS: 2 }, report())).toEqual({
      status: 'timed_out',
      error: 'no output for 2 s (idle timeout)',
    });
    expect(attemptStatus({ ...base, cancelled: true }, report()).status).toBe('cancelled');
  });
});

describe('mergeTests and suiteStatus: the status comes from every attempt', () => {
  it('a test that failed, then passed, is flaky, and so is its suite', () => {
    const attempts = [
      {
        status: 'failed' as const,
        error: '1 test failed',
        tests: [test('x', 'failed', 'boom'), test('y', 'passed')],
      },
      // A filtered retry: the runner reports what it did not select as skipped.
      { status: 'passed' as const, error: null, tests: [test('x', 'passed'), test('y', 'skipped')] },
    ];
    const tests = mergeTests(attempts);
    expect(tests.map(({ id, status, outcomes, message }) => ({ id, status, outcomes, message }))).toEqual([
      { id: 'a.test.ts › x', status: 'flaky', outcomes: ['failed', 'passed'], message: 'boom' },
      { id: 'a.test.ts › y', status: 'passed', outcomes: ['passed', 'skipped'], message: undefined },
    ]);
    expect(suiteStatus(attempts, tests)).toEqual({ status: 'flaky', error: null });
  });

  it('keeps the last attempt’s failure, not the attempt with the fewest failures', () => {
    const attempts = [
      {
        status: 'failed' as const,
        error: '1 test failed',
        tests: [test('x', 'failed'), test('y', 'passed')],
      },
      {
        status: 'failed' as const,
        error: '2 tests failed',
        tests: [test('x', 'passed'), test('y', 'failed')],
      },
    ];
    const tests = mergeTests(attempts);
    expect(tests.map((one) => one.status)).toEqual(['flaky', 'failed']);
    expect(suiteStatus(attempts, tests)).toEqual({ status: 'failed', error: '2 tests failed' });
  });

  it('fails a suite whose last attempt passed while a test failed in every attempt that ran it', () => {
    const attempts = [
      {
        status: 'failed' as const,
        error: '2 tests failed',
        tests: [test('x', 'failed'), test('y', 'failed')],
      },
      { status: 'passed' as const, error: null, tests: [test('x', 'passed')] },
    ];
    const tests = mergeTests(attempts);
    expect(suiteStatus(attempts, tests)).toEqual({
      status: 'failed',
      error: '1 test failed in every attempt that ran it',
    });
  });

  it('is flaky when a timeout or crash was followed by a pass, and the last status otherwise', () => {
    const passed = { status: 'passed' as const, error: null, tests: [test('x', 'passed')] };
    const timedOut = { status: 'timed_out' as const, error: 'timed out after 1 s', tests: [] };
    expect(suiteStatus([timedOut, passed], mergeTests([timedOut, passed])).status).toBe('flaky');
    expect(suiteStatus([passed, timedOut], mergeTests([passed, timedOut]))).toEqual({
      status: 'timed_out',
      error: 'timed out after 1 s',
    });
  });
});
