import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeProject, runRunner, tempProject, VITEST } from '../fixtures/real-runners.js';
import type { ParsedReport, TestCase } from '../types.js';
import { MESSAGE_LINES, parseReport } from './index.js';

// The reports here are written by the real runners, once for the whole file: Node's test runner's
// JUnit, and Vitest's JUnit and JSON from one run of a temporary project of its own.

const NODE_TESTS = `import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
test('adds (1 + 1)', () => assert.equal(1 + 1, 2));
test('fails [on purpose]?', () => assert.equal(1, 2, 'one is not two'));
test('skipped one', { skip: 'not today' }, () => {});
test('todo one', { todo: true }, () => {});
describe('outer suite', () => {
  it('inner passes', () => {});
  it('inner fails', () => { throw new Error('\\u001b[31mred\\u001b[39m boom'); });
  describe('deeper', () => it('deep passes $', () => {}));
});
test('long failure', () => { throw new Error(Array.from({ length: 40 }, (_, i) => 'line ' + (i + 1)).join('\\n')); });
`;

const VITEST_TESTS = `test('adds (1 + 1)', () => expect(1 + 1).toBe(2));
test('fails [on purpose]?', () => expect(1).toBe(2));
test.skip('skipped one', () => {});
test.todo('todo one');
describe('outer suite', () => {
  it('inner passes', () => {});
  it('inner fails', () => { throw new Error('\\u001b[31mred\\u001b[39m boom'); });
  describe('deeper', () => it('deep passes $', () => {}));
});
test('long failure', () => { throw new Error(Array.from({ length: 40 }, (_, i) => 'line ' + (i + 1)).join('\\n')); });
`;

let dir: string | undefined;
let nodeJunit: string;
let vitestJunit: string;
let vitestJson: string;

beforeAll(async () => {
  dir = tempProject('reports', {
    'node/sample.mjs': NODE_TESTS,
    'a.test.mjs': VITEST_TESTS,
    'broken.test.mjs': `throw new Error('cannot load this file');\n`,
  });
  const reports = join(dir, 'reports');
  mkdirSync(reports); // Node's reporter writes into a folder, it does not make one.
  await runRunner(
    [
      process.execPath,
      '--test',
      '--test-reporter=junit',
      `--test-reporter-destination=${join(reports, 'node.xml')}`,
      'node/sample.mjs',
    ],
    dir,
  );
  await runRunner(
    [
      VITEST,
      'run',
      '--root',
      dir,
      '--reporter=junit',
      '--reporter=json',
      `--outputFile.junit=${join(reports, 'vitest.xml')}`,
      `--outputFile.json=${join(reports, 'vitest.json')}`,
    ],
    dir,
  );
  nodeJunit = readFileSync(join(reports, 'node.xml'), 'utf8');
  vitestJunit = readFileSync(join(reports, 'vitest.xml'), 'utf8');
  vitestJson = readFileSync(join(reports, 'vitest.json'), 'utf8');
}, 120_000);

afterAll(() => removeProject(dir));

/** The report's tests as `id: outcome`, in id order. */
function outcomes(report: ParsedReport): string[] {
  return report.tests.map((test) => `${test.id}: ${test.outcome}`).sort();
}

function find(report: ParsedReport, id: string): TestCase {
  const test = report.tests.find((candidate) => candidate.id === id);
  if (test === undefined) throw new Error(`no test ${id} in ${report.tests.map((t) => t.id).join(', ')}`);
  return test;
}

describe("Node's test runner, JUnit", () => {
  it('gives every test its describe blocks as titles, and maps skip and todo to skipped', () => {
    const report = parseReport('junit', nodeJunit);
    expect(report.format).toBe('junit');
    // Node writes no file: its classname is always `test`, and that is the file the report gives.
    expect(outcomes(report)).toEqual([
      'test › adds (1 + 1): passed',
      'test › fails [on purpose]?: failed',
      'test › long failure: failed',
      'test › outer suite › deeper › deep passes $: passed',
      'test › outer suite › inner fails: failed',
      'test › outer suite › inner passes: passed',
      'test › skipped one: skipped',
      'test › todo one: skipped',
    ]);
    expect(find(report, 'test › outer suite › deeper › deep passes $').titlePath).toEqual([
      'outer suite',
      'deeper',
      'deep passes $',
    ]);
  });

  it('reads durations in seconds as milliseconds, and keeps a failure’s first lines without escapes', () => {
    const report = parseReport('junit', nodeJunit);
    const failed = find(report, 'test › outer suite › inner fails');
    expect(failed.durationMs).toBeGreaterThan(0);
    expect(failed.message).toContain('red boom');
    expect(failed.message).not.toContain('\u001b');
    expect(find(report, 'test › fails [on purpose]?').message).toContain('one is not two');
    expect(find(report, 'test › adds (1 + 1)').message).toBeUndefined();
    const long = find(report, 'test › long failure').message ?? '';
    expect(long.split('\n').length).toBeLessThanOrEqual(MESSAGE_LINES + 1);
    expect(long).toContain('line 1');
    expect(long).not.toContain('line 40');
    expect(long.endsWith('…')).toBe(true);
  });
});

describe("Vitest's JUnit", () => {
  it('gives the file, the joined name as the report writes it, and the file that did not load', () => {
    const report = parseReport('junit', vitestJunit);
    expect(outcomes(report)).toEqual([
      'a.test.mjs › adds (1 + 1): passed',
      'a.test.mjs › fails [on purpose]?: failed',
      'a.test.mjs › long failure: failed',
      'a.test.mjs › outer suite > deeper > deep passes $: passed',
      'a.test.mjs › outer suite > inner fails: failed',
      'a.test.mjs › outer suite > inner passes: passed',
      'a.test.mjs › skipped one: skipped',
      'a.test.mjs › todo one: skipped',
      'broken.test.mjs: failed',
    ]);
    const broken = find(report, 'broken.test.mjs');
    expect(broken).toMatchObject({ file: 'broken.test.mjs', titlePath: [] });
    expect(broken.message).toContain('cannot load this file');
    expect(find(report, 'a.test.mjs › outer suite > inner fails').message).not.toContain('\u001b');
  });
});

describe("Vitest's JSON", () => {
  it('gives each test its ancestor titles, and the file that did not load as one failed test', () => {
    const report = parseReport('vitest-json', vitestJson, { root: dir });
    expect(report.format).toBe('vitest-json');
    expect(outcomes(report)).toEqual([
      'a.test.mjs › adds (1 + 1): passed',
      'a.test.mjs › fails [on purpose]?: failed',
      'a.test.mjs › long failure: failed',
      'a.test.mjs › outer suite › deeper › deep passes $: passed',
      'a.test.mjs › outer suite › inner fails: failed',
      'a.test.mjs › outer suite › inner passes: passed',
      'a.test.mjs › skipped one: skipped',
      'a.test.mjs › todo one: skipped',
      'broken.test.mjs: failed',
    ]);
    expect(find(report, 'broken.test.mjs').message).toContain('cannot load this file');
    const inner = find(report, 'a.test.mjs › outer suite › inner fails');
    expect(inner.titlePath).toEqual(['outer suite', 'inner fails']);
    expect(inner.message?.split('\n')[0]).toBe('Error: red boom');
    expect(inner.durationMs).toBeGreaterThan(0);
  });

  it('keeps the absolute paths the report gives without a root, and outside the root', () => {
    const report = parseReport('vitest-json', vitestJson);
    expect(report.tests.map((test) => test.file)).toContain(join(dir ?? '', 'a.test.mjs'));
    const elsewhere = parseReport('vitest-json', vitestJson, { root: join(dir ?? '', 'node') });
    expect(elsewhere.tests[0]?.file.startsWith('/')).toBe(true);
  });
});
