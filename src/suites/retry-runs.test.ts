import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeProject, runRunner, tempProject, VITEST } from './fixtures/real-runners.js';
import { parseReport } from './reports/index.js';
import { retryCommand } from './retry-filter.js';
import type { ParsedReport, ReportFormat, TestCase } from './types.js';

// Real runs: a suite runs once, its failed tests are read from its report, and the retry command runs
// them again. The retry's own report proves what ran: every test it did not skip is a failed one, and
// every failed one ran. The titles are chosen so that an unescaped or unanchored pattern, or a missing
// file filter, would run more: `adds more` beside `adds`, `aXb` beside `a.b`, `adds` in another file.

const FAILS = `() => { throw new Error('fails'); }`;
const VITEST_FILES = {
  'a.test.mjs': `test('adds', ${FAILS});
test('adds more', () => {});
test('re-adds', () => {});
test('special (1+1) [x] a.b? $5 *star* ^caret | pipe {2}', ${FAILS});
test('special (1+1) [x] aXb? $5 *star* ^caret | pipe {2}', () => {});
describe('group', () => {
  test('case', ${FAILS});
  test('case two', () => {});
  describe('inner', () => test('deep', ${FAILS}));
});
`,
  'b.test.mjs': `test('b passes', () => {});\ntest('b fails', ${FAILS});\n`,
  // Passes, with the name of a test that fails in a.test.mjs: only the file filter keeps it out.
  'c.test.mjs': `test('adds', () => {});\ndescribe('group', () => test('case', () => {}));\n`,
};

const NODE_FILE = `import { describe, it, test } from 'node:test';
test('adds', ${FAILS});
test('adds more', () => {});
test('special (1+1) [x] a.b? $5', ${FAILS});
test('special (1+1) [x] aXb? $5', () => {});
describe('group', () => {
  it('case', ${FAILS});
  it('case two', () => {});
});
test('skipped', { skip: true }, () => {});
`;

let dir = '';
let reports = '';

beforeAll(() => {
  dir = tempProject('retry', { ...VITEST_FILES, 'node/n.mjs': NODE_FILE });
  reports = join(dir, 'reports');
  mkdirSync(reports);
});
afterAll(() => removeProject(dir));

function read(format: ReportFormat, name: string): ParsedReport {
  return parseReport(format, readFileSync(join(reports, name), 'utf8'), { root: dir });
}

const ids = (tests: readonly TestCase[]): string[] => tests.map((test) => test.id).sort();
const failedOf = (report: ParsedReport): TestCase[] =>
  report.tests.filter((test) => test.outcome === 'failed');
const ranOf = (report: ParsedReport): TestCase[] => report.tests.filter((test) => test.outcome !== 'skipped');

describe('a retry of Vitest runs exactly the failed tests', () => {
  let first: { json: ParsedReport; junit: ParsedReport };

  beforeAll(async () => {
    await runRunner(
      [
        VITEST,
        'run',
        '--root',
        dir,
        '--reporter=json',
        '--reporter=junit',
        `--outputFile.json=${join(reports, 'first.json')}`,
        `--outputFile.junit=${join(reports, 'first.xml')}`,
      ],
      dir,
    );
    first = { json: read('vitest-json', 'first.json'), junit: read('junit', 'first.xml') };
  }, 120_000);

  it('from its JSON report', async () => {
    const failed = failedOf(first.json);
    expect(ids(failed)).toEqual([
      'a.test.mjs › adds',
      'a.test.mjs › group › case',
      'a.test.mjs › group › inner › deep',
      'a.test.mjs › special (1+1) [x] a.b? $5 *star* ^caret | pipe {2}',
      'b.test.mjs › b fails',
    ]);
    const base = [
      VITEST,
      'run',
      '--root',
      dir,
      '--reporter=json',
      `--outputFile=${join(reports, 'retry.json')}`,
    ];
    const retry = retryCommand(base, failed, 'vitest-json');
    expect(retry).toMatchObject({ filtered: true, runner: 'vitest' });
    await runRunner(retry.argv, dir);
    const report = read('vitest-json', 'retry.json');
    expect(ids(ranOf(report))).toEqual(ids(failed));
    expect(ids(failedOf(report))).toEqual(ids(failed));
    // The file with the same names was not even loaded.
    expect(report.tests.some((test) => test.file === 'c.test.mjs')).toBe(false);
  }, 120_000);

  it('from its JUnit report, whose names join the describe titles with " > "', async () => {
    const failed = failedOf(first.junit);
    expect(ids(failed)).toEqual([
      'a.test.mjs › adds',
      'a.test.mjs › group > case',
      'a.test.mjs › group > inner > deep',
      'a.test.mjs › special (1+1) [x] a.b? $5 *star* ^caret | pipe {2}',
      'b.test.mjs › b fails',
    ]);
    const base = [
      VITEST,
      'run',
      '--root',
      dir,
      '--reporter=junit',
      `--outputFile=${join(reports, 'retry.xml')}`,
    ];
    const retry = retryCommand(base, failed, 'junit');
    expect(retry.filtered).toBe(true);
    await runRunner(retry.argv, dir);
    const report = read('junit', 'retry.xml');
    expect(ids(ranOf(report))).toEqual(ids(failed));
    expect(report.tests.some((test) => test.file === 'c.test.mjs')).toBe(false);
  }, 120_000);
});

describe("a retry of Node's test runner runs exactly the failed tests", () => {
  it('from its JUnit report', async () => {
    const command = (out: string) => [
      process.execPath,
      '--test',
      '--test-reporter=junit',
      `--test-reporter-destination=${join(reports, out)}`,
      'node/n.mjs',
    ];
    await runRunner(command('node-first.xml'), dir);
    const failed = failedOf(read('junit', 'node-first.xml'));
    expect(ids(failed)).toEqual(['test › adds', 'test › group › case', 'test › special (1+1) [x] a.b? $5']);
    const retry = retryCommand(command('node-retry.xml'), failed, 'junit');
    expect(retry).toMatchObject({ filtered: true, runner: 'node-test' });
    await runRunner(retry.argv, dir);
    const report = read('junit', 'node-retry.xml');
    // Node lists the tests it did not run as skipped ("test name does not match pattern").
    expect(report.tests.length).toBe(7);
    expect(ids(ranOf(report))).toEqual(ids(failed));
    expect(ids(failedOf(report))).toEqual(ids(failed));
  }, 60_000);
});
