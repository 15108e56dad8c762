import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParsedReport, ReportFormat } from '../types.js';
import { parseReport } from './index.js';

// No Jest, Playwright, pytest, Maven or CTRF reporter can run here. These fixtures are written in the
// shapes those tools document and emit, field for field:
// - jest.json: `jest --json`, i.e. `@jest/test-result`'s `formatTestResults` (AggregatedResult with
//   `testResults[].assertionResults[]`; a file that failed to run has no assertion results and the
//   "Test suite failed to run" message); Jest's failure messages keep their colour escapes.
// - playwright.json: Playwright's `json` reporter (`packages/playwright/src/reporters/json.ts`): file
//   suites with nested describe suites, specs with one test per project, results per retry.
// - ctrf.json: the CTRF specification (`ctrf-io/ctrf`, docs/specification/test.md and status.md, the
//   examples/ reports), `suite` as an array and, from older reporters, as one string.
// - pytest-xunit1.xml: pytest's `--junitxml` with `junit_family=xunit1` (which adds `file` and `line`).
// - surefire-reruns.xml: Maven Surefire 3's report of a run with `rerunFailingTestsCount`.

function fixture(format: ReportFormat, name: string): ParsedReport {
  return parseReport(format, readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'), {
    root: '/home/ci/app',
  });
}

function summary(report: ParsedReport) {
  return report.tests.map(({ id, outcome, durationMs }) => ({ id, outcome, durationMs }));
}

describe('Jest JSON', () => {
  it('maps pending and todo to skipped, and a file that failed to run to one failed test', () => {
    const report = fixture('jest-json', 'jest.json');
    expect(report.format).toBe('jest-json');
    expect(summary(report)).toEqual([
      { id: 'src/calculator.test.js › adds (1 + 1)', outcome: 'passed', durationMs: 2 },
      { id: 'src/calculator.test.js › Calculator › divide › by zero', outcome: 'failed', durationMs: 5 },
      { id: 'src/calculator.test.js › Calculator › divide › by one', outcome: 'passed', durationMs: 1 },
      { id: 'src/calculator.test.js › Calculator › skipped for now', outcome: 'skipped', durationMs: 0 },
      { id: 'src/calculator.test.js › Calculator › rounds [later]', outcome: 'skipped', durationMs: 0 },
      { id: 'src/broken.test.js', outcome: 'failed', durationMs: 0 },
    ]);
    const [, byZero, , , , broken] = report.tests;
    expect(byZero?.message?.split('\n').slice(0, 4)).toEqual([
      'Error: expect(received).toBe(expected) // Object.is equality',
      '',
      'Expected: 2',
      'Received: Infinity',
    ]);
    expect(broken).toMatchObject({ file: 'src/broken.test.js', titlePath: [] });
    expect(broken?.message).toContain("Cannot find module './missing'");
    expect(broken?.message).not.toContain('\u001b');
  });
});

describe('Playwright JSON', () => {
  it('reads each project’s test from its last result, against what it expected', () => {
    const report = fixture('playwright-json', 'playwright.json');
    expect(summary(report)).toEqual([
      { id: '[chromium] › login.spec.ts › has title', outcome: 'passed', durationMs: 812 },
      // Failed, then passed on Playwright's own retry: its last result is a pass.
      { id: '[firefox] › login.spec.ts › has title', outcome: 'passed', durationMs: 990 },
      // Failed, then timed out.
      {
        id: '[chromium] › login.spec.ts › sign in (with SSO) › rejects a bad password [v2]',
        outcome: 'failed',
        durationMs: 30000,
      },
      {
        id: '[firefox] › login.spec.ts › sign in (with SSO) › is skipped on firefox',
        outcome: 'skipped',
        durationMs: 0,
      },
      // test.fail(): expected to fail, and it did.
      {
        id: '[chromium] › login.spec.ts › sign in (with SSO) › known bug',
        outcome: 'passed',
        durationMs: 300,
      },
      // No result at all: it never ran (a --max-failures stop, an interrupted run).
      {
        id: '[chromium] › login.spec.ts › sign in (with SSO) › never ran',
        outcome: 'skipped',
        durationMs: 0,
      },
    ]);
    const timedOut = report.tests[2];
    expect(timedOut).toMatchObject({
      file: 'login.spec.ts',
      project: 'chromium',
      titlePath: ['sign in (with SSO)', 'rejects a bad password [v2]'],
      message: 'Test timeout of 30000ms exceeded.',
    });
  });

  it('fails a test.fail() that passed, and names no project when the run had none', () => {
    const text = JSON.stringify({
      suites: [
        {
          title: 'a.spec.ts',
          file: 'a.spec.ts',
          specs: [
            {
              title: 'was broken',
              file: 'a.spec.ts',
              tests: [
                { expectedStatus: 'failed', projectName: '', results: [{ status: 'passed', duration: 4 }] },
              ],
            },
          ],
        },
      ],
    });
    const [test] = parseReport('playwright-json', text).tests;
    expect(test).toEqual({
      id: 'a.spec.ts › was broken',
      file: 'a.spec.ts',
      titlePath: ['was broken'],
      outcome: 'failed',
      durationMs: 4,
      message: 'Expected to fail, but passed',
    });
  });
});

describe('CTRF', () => {
  it('reads suites as titles, pending as skipped, and other as failed', () => {
    const report = fixture('ctrf', 'ctrf.json');
    expect(summary(report)).toEqual([
      {
        id: 'test/auth/login.test.js › Authentication › Login › user can login',
        outcome: 'passed',
        durationMs: 350,
      },
      {
        id: 'test/admin/dashboard.test.js › Admin › Dashboard › admin dashboard loads',
        outcome: 'failed',
        durationMs: 800,
      },
      { id: 'Reports › exports a CSV', outcome: 'skipped', durationMs: 0 },
      { id: 'imports a CSV', outcome: 'skipped', durationMs: 0 },
      { id: 'test/checkout.test.js › talks to the payment gateway', outcome: 'failed', durationMs: 12 },
    ]);
    expect(report.tests[1]?.message?.split('\n')).toEqual([
      'Element not found: .dashboard-metrics',
      'Error: Element not found: .dashboard-metrics',
      '    at waitForElement (test/admin/dashboard.test.js:45:10)',
    ]);
    expect(report.tests[2]?.file).toBe('');
  });

  it('reads an other test by its raw status when it names one', () => {
    const text = JSON.stringify({
      results: { tests: [{ name: 'later', status: 'other', rawStatus: 'todo', duration: 0 }] },
    });
    expect(parseReport('ctrf', text).tests[0]?.outcome).toBe('skipped');
  });
});

describe('JUnit from other runners', () => {
  it('pytest (xunit1): the file, the module-and-class, the name; error fails, skipped skips', () => {
    const report = fixture('junit', 'pytest-xunit1.xml');
    expect(summary(report)).toEqual([
      { id: 'tests/test_math.py › tests.test_math › test_add', outcome: 'passed', durationMs: 1 },
      {
        id: 'tests/test_math.py › tests.test_math.TestDivide › test_by_zero[0-inf]',
        outcome: 'failed',
        durationMs: 2,
      },
      {
        id: 'tests/test_math.py › tests.test_math.TestDivide › test_by_one',
        outcome: 'passed',
        durationMs: 1,
      },
      { id: 'tests/test_io.py › tests.test_io › test_read', outcome: 'failed', durationMs: 4 },
      { id: 'tests/test_io.py › tests.test_io › test_write', outcome: 'skipped', durationMs: 0 },
    ]);
    // Entities decoded; the failure's text is its body.
    expect(report.tests[1]?.message?.split('\n')[0]).toBe(
      'self = <tests.test_math.TestDivide object at 0x7f0c2a1b3d90>',
    );
  });

  it('Surefire: a failure with reruns that also failed fails; a flaky failure alone passes', () => {
    const report = fixture('junit', 'surefire-reruns.xml');
    expect(summary(report)).toEqual([
      { id: 'com.example.CalculatorTest › adds', outcome: 'passed', durationMs: 4 },
      { id: 'com.example.CalculatorTest › divides', outcome: 'failed', durationMs: 12 },
      { id: 'com.example.CalculatorTest › talks to the clock', outcome: 'passed', durationMs: 45 },
    ]);
    // CDATA is text.
    expect(report.tests[1]?.message).toContain('expected: <2> but was: <3>');
  });
});
