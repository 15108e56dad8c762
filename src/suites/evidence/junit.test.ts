import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../reports/index.js';
import { toJunitXml } from './junit.js';
import { attempt, sampleRun, suite, testCase } from './fixtures/suite-results.js';
import { descendants, parseXml, textOf, type XmlNode } from './fixtures/xml-reader.js';

function testcase(root: XmlNode, suiteName: string, name: string): XmlNode {
  const suiteNode = descendants(root, 'testsuite').find((s) => s.attributes.name === suiteName);
  const found = suiteNode && descendants(suiteNode, 'testcase').find((t) => t.attributes.name === name);
  if (found === undefined) throw new Error(`no testcase ${name} in ${suiteName}`);
  return found;
}
const childNames = (node: XmlNode): string[] =>
  node.children.filter((c): c is XmlNode => typeof c !== 'string').map((c) => c.name);

describe('toJunitXml', () => {
  const xml = toJunitXml(sampleRun());
  const root = parseXml(xml);

  it('is one well-formed document: <testsuites> with a <testsuite> per suite and the totals', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(root.name).toBe('testsuites');
    // 5 tests, and a stand-in each for lint (no report) and docs (never ran).
    expect(root.attributes).toMatchObject({
      tests: '7',
      failures: '1',
      errors: '1',
      skipped: '2',
      time: '2.500',
    });
    const suites = descendants(root, 'testsuite');
    expect(suites.map((s) => [s.attributes.name, s.attributes.tests, s.attributes.failures])).toEqual([
      ['unit', '3', '0'],
      ['e2e', '2', '1'],
      ['lint', '1', '0'],
      ['docs', '1', '0'],
    ]);
    expect(suites[0]?.attributes).toMatchObject({
      skipped: '1',
      time: '2.000',
      timestamp: '2025-01-02T03:00:00.000Z',
    });
  });

  it('is well-formed for an independent XML validator, and our own JUnit reader reads it back', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const read = parseReport('junit', xml);
    expect(read.tests).toHaveLength(7);
    expect(read.tests.filter((test) => test.outcome === 'failed')).toHaveLength(2); // e2e's failure, lint's error
  });

  it('gives a flaky test its earlier failure as a <flakyFailure> and no <failure>', () => {
    const divides = testcase(root, 'unit', 'math › divides');
    expect(childNames(divides)).toEqual(['flakyFailure']);
    const [flaky] = descendants(divides, 'flakyFailure');
    expect(flaky?.attributes).toEqual({ message: 'expected 1 to be 2', type: 'failure' });
    expect(textOf(descendants(flaky!, 'stackTrace')[0]!)).toBe('expected 1 to be 2\n  at a.test.ts:3');
    expect(textOf(descendants(flaky!, 'system-out')[0]!)).toBe('attempt 1');
    expect(divides.attributes).toMatchObject({
      classname: 'src/a.test.ts',
      file: 'src/a.test.ts',
      time: '0.025',
    });
    expect(childNames(testcase(root, 'unit', 'math › adds'))).toEqual([]);
    expect(childNames(testcase(root, 'unit', 'later'))).toEqual(['skipped']);
  });

  it('gives a test that failed every attempt a <failure> then a <rerunFailure> per retry, escaped', () => {
    const login = testcase(root, 'e2e', 'login <form> & "quotes"');
    expect(childNames(login)).toEqual(['failure', 'rerunFailure']);
    const [failure] = descendants(login, 'failure');
    // The control character is gone; the markup survives as text.
    expect(failure?.attributes.message).toBe('boom <b> &  "x"');
    expect(textOf(descendants(login, 'rerunFailure')[0]!)).toBe('boom again ]]>attempt 2');
    expect(xml).not.toContain('\u0001');
  });

  it('stands in for a suite that failed or never ran without a test saying so', () => {
    const lint = testcase(root, 'lint', '(suite)');
    expect(descendants(lint, 'error')[0]?.attributes).toEqual({
      message: 'exit code 2, no report',
      type: 'no_report',
    });
    const docs = testcase(root, 'docs', '(suite)');
    expect(descendants(docs, 'skipped')[0]?.attributes.message).toBe('fail_fast stopped the run');
    const properties = descendants(descendants(root, 'testsuite')[2]!, 'property').map((p) => p.attributes);
    expect(properties).toEqual([
      { name: 'flotilla.status', value: 'no_report' },
      { name: 'flotilla.attempts', value: '1' },
      { name: 'flotilla.error', value: 'exit code 2, no report' },
    ]);
  });

  it('adds no stand-in to a failed suite whose failing test already says so, nor to a passing one', () => {
    const run = sampleRun();
    const ok = suite('ok', 'passed', [attempt('ok', 1, 'passed', [testCase('f', ['t'], 'passed')])]);
    const parsed = parseXml(toJunitXml({ ...run, suites: [run.suites[1]!, ok] }));
    expect(descendants(parsed, 'testcase').map((t) => t.attributes.name)).toEqual([
      'login <form> & "quotes"',
      'logout',
      't',
    ]);
    expect(descendants(parsed, 'error')).toEqual([]);
  });
});
