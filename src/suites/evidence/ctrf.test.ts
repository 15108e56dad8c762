import { describe, expect, it } from 'vitest';
import { CTRF_SPEC_VERSION, toCtrf } from './ctrf.js';
import { sampleRun, T0 } from './fixtures/suite-results.js';

describe('toCtrf', () => {
  const report = toCtrf(sampleRun(), '00000000-0000-4000-8000-000000000000');

  it('has the required CTRF fields and a summary that counts the tests it lists', () => {
    expect(report).toMatchObject({
      reportFormat: 'CTRF',
      specVersion: CTRF_SPEC_VERSION,
      reportId: '00000000-0000-4000-8000-000000000000',
      generatedBy: 'flotilla',
      results: { tool: { name: 'flotilla' }, extra: { runId: 'run_1', exitCode: 1 } },
    });
    // 5 tests and the two stand-ins (lint failed without a report, docs never ran).
    expect(report.results.summary).toEqual({
      tests: 7,
      passed: 3,
      failed: 2,
      skipped: 2,
      pending: 0,
      other: 0,
      flaky: 1,
      suites: 4,
      start: T0,
      stop: T0 + 2_500,
      duration: 2_500,
    });
    const tests = report.results.tests;
    for (const status of ['passed', 'failed', 'skipped'] as const) {
      expect(tests.filter((t) => t.status === status)).toHaveLength(report.results.summary[status]);
    }
    expect(tests.filter((t) => t.flaky)).toHaveLength(report.results.summary.flaky);
    for (const test of tests) expect(Number.isInteger(test.duration)).toBe(true);
  });

  it('sets retries and flaky from the attempts, with the earlier runs as retryAttempts', () => {
    const byName = new Map(report.results.tests.map((t) => [`${t.suite[0]}:${t.name}`, t]));
    expect(byName.get('unit:math › divides')).toEqual({
      name: 'math › divides',
      status: 'passed',
      duration: 25,
      suite: ['unit', 'math'],
      filePath: 'src/a.test.ts',
      retries: 1,
      flaky: true,
      // The orchestrator may keep a flaky test's failure message; CTRF carries it.
      message: 'expected 1 to be 2\n  at a.test.ts:3',
      retryAttempts: [
        { attempt: 1, status: 'failed', duration: 30, message: 'expected 1 to be 2\n  at a.test.ts:3' },
      ],
      extra: { id: 'src/a.test.ts › math › divides', suite: 'unit', attempts: [1, 2] },
    });
    expect(byName.get('unit:math › adds')).toMatchObject({ status: 'passed', retries: 0, flaky: false });
    expect(byName.get('unit:math › adds')).not.toHaveProperty('retryAttempts');
    expect(byName.get('e2e:login <form> & "quotes"')).toMatchObject({
      status: 'failed',
      retries: 1,
      flaky: false,
      message: 'boom again ]]>',
      retryAttempts: [{ attempt: 1, status: 'failed', duration: 400 }],
    });
    expect(byName.get('lint:lint (suite)')).toMatchObject({
      status: 'failed',
      message: 'exit code 2, no report',
    });
    expect(byName.get('docs:docs (suite)')).toMatchObject({ status: 'skipped', retries: 0 });
  });
});
