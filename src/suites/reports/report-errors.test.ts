import { describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import { REPORT_FORMATS, type ReportFormat } from '../types.js';
import { parseReport, ReportError } from './index.js';

/** The `ReportError` that parsing `text` as `format` throws. */
function refusal(format: ReportFormat, text: string): ReportError {
  try {
    parseReport(format, text);
  } catch (error) {
    expect(error).toBeInstanceOf(ReportError);
    expect(hasCode(error, 'E_REPORT')).toBe(true);
    return error as ReportError;
  }
  throw new Error(`parsing as ${format} did not throw`);
}

describe('a report that is not one: a clear refusal, never a guess', () => {
  it.each(REPORT_FORMATS)('%s: an empty file', (format) => {
    for (const text of ['', '  \n\t\n']) {
      const error = refusal(format, text);
      expect(error.format).toBe(format);
      expect(error.message).toMatch(/^Not a .* report: the file is empty$/);
    }
  });

  it('JUnit: JSON is not XML, with where', () => {
    const error = refusal('junit', '{"testResults": []}');
    expect(error.message).toBe("Not a JUnit XML report (1:1): not XML: char '{' is not expected.");
    expect([error.line, error.column]).toEqual([1, 1]);
  });

  it('JUnit: a tag closed out of order, with its line and column', () => {
    const text =
      '<testsuites>\n  <testsuite name="a">\n    <testcase name="t">\n  </testsuite>\n</testsuites>';
    const error = refusal('junit', text);
    expect(error.line).toBe(4);
    expect(error.column).toBeGreaterThan(0);
    expect(error.message).toMatch(/^Not a JUnit XML report \(4:\d+\): not XML: .*testcase/);
  });

  it('JUnit: XML that is not a JUnit report', () => {
    expect(refusal('junit', '<html><body/></html>').message).toBe(
      'Not a JUnit XML report: the document: expected a <testsuites> or <testsuite> root element, got "<html>"',
    );
  });

  it('JSON formats: XML is not JSON, with where', () => {
    const error = refusal('vitest-json', '<?xml version="1.0"?>\n<testsuites/>');
    expect(error.message).toBe("Not a Vitest JSON report (1:1): not JSON: expected a value, found '<'");
  });

  it('JSON formats: a syntax error at its line and column', () => {
    const text = '{\n  "testResults": [\n    {"name": }\n  ]\n}';
    const error = refusal('jest-json', text);
    expect(error.message).toBe("Not a Jest JSON report (3:14): not JSON: expected a value, found '}'");
    expect([error.line, error.column]).toEqual([3, 14]);
  });

  it('JSON formats: a truncated file ends too soon', () => {
    const error = refusal('playwright-json', '{"suites": [{"title": "a.spec.ts"');
    expect(error.message).toBe(
      "Not a Playwright JSON report (1:34): not JSON: expected ',' or '}', found the end of the file",
    );
  });

  it('JSON of another format names the key that is missing', () => {
    const playwright = JSON.stringify({ config: {}, suites: [] });
    expect(refusal('vitest-json', playwright).message).toBe(
      'Not a Vitest JSON report: testResults: expected an array, got nothing',
    );
    expect(refusal('vitest-json', playwright).path).toBe('testResults');
    const jest = JSON.stringify({ testResults: [] });
    expect(refusal('playwright-json', jest).message).toBe(
      'Not a Playwright JSON report: suites: expected an array, got nothing',
    );
    expect(refusal('ctrf', jest).message).toBe(
      'Not a CTRF JSON report: results: expected an object, got nothing',
    );
    expect(refusal('jest-json', '[1, 2]').message).toBe(
      'Not a Jest JSON report: the document: expected an object, got an array of 2',
    );
  });

  it('a value of the wrong type or an unknown status names its key path', () => {
    const jest = {
      testResults: [
        { name: '/a.test.js', assertionResults: [{ ancestorTitles: [], title: 't', status: 'weird' }] },
      ],
    };
    const error = refusal('jest-json', JSON.stringify(jest));
    expect(error.path).toBe('testResults[0].assertionResults[0].status');
    expect(error.message).toBe(
      'Not a Jest JSON report: testResults[0].assertionResults[0].status: expected one of passed, failed, pending, skipped, todo, disabled, got "weird"',
    );
    const ctrf = { results: { tests: [{ name: 3, status: 'passed', duration: 1 }] } };
    expect(refusal('ctrf', JSON.stringify(ctrf)).message).toBe(
      'Not a CTRF JSON report: results.tests[0].name: expected a string, got 3',
    );
    const negative = { results: { tests: [{ name: 'n', status: 'passed', duration: -5 }] } };
    expect(refusal('ctrf', JSON.stringify(negative)).path).toBe('results.tests[0].duration');
  });
});

describe('JUnit XML: entities', () => {
  it('decodes the XML builtins and character references, in attributes and text', () => {
    const text =
      '<testsuites><testcase classname="c" name="a &amp; b &lt;&#x41;&#66;&gt; &quot;q&quot; &apos;"><failure>x &lt; y</failure></testcase></testsuites>';
    const [test] = parseReport('junit', text).tests;
    expect(test?.titlePath).toEqual(['a & b <AB> "q" \'']);
    expect(test?.message).toBe('x < y');
  });

  it('expands nothing a DOCTYPE declares: a billion laughs stays one short line', () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`);
    const text = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${entities.join('\n')}\n]>\n<testsuites><testcase classname="c" name="&lol9;"><failure>&lol9;</failure></testcase></testsuites>`;
    const [test] = parseReport('junit', text).tests;
    expect(test?.titlePath).toEqual(['&lol9;']);
    expect(test?.message).toBe('&lol9;');
  });

  it('keeps a reference named like an object property as its literal text (no prototype lookup)', () => {
    const text = '<testsuites><testcase classname="c" name="&constructor; &toString; &amp;"/></testsuites>';
    expect(parseReport('junit', text).tests[0]?.titlePath).toEqual(['&constructor; &toString; &']);
  });

  it('reads no external entity (XXE): a DOCTYPE that declares one is refused', () => {
    const text =
      '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><testsuites><testcase classname="c" name="&xxe;"/></testsuites>';
    expect(refusal('junit', text).message).toBe(
      'Not a JUnit XML report: not XML: External entities are not supported',
    );
  });

  it('reads a report with a byte order mark, and one <testsuite> as the root', () => {
    const text =
      '\uFEFF<testsuite name="s" timestamp="2024-01-01T00:00:00"><testcase name="t" time="0.5"/></testsuite>';
    expect(parseReport('junit', text).tests).toEqual([
      { id: 's › t', file: 's', titlePath: ['t'], outcome: 'passed', durationMs: 500 },
    ]);
  });
});
