import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJunit } from '../../suites/reports/junit.js';
import { compareWithBaseline, failingFindings, readBaseline } from './baseline.js';
import { sampleReport } from './fixtures/sample-report.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { parseFormats, REPORT_FILES, writeReports } from './write-reports.js';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-reports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the baseline', () => {
  const before = sampleReport();
  // This run: the 500 is fixed, the console error persists, a new finding appeared; /about not tested again.
  const now = sampleReport({
    findings: [
      ...before.findings.filter((one) => one.check !== 'http-status' && one.check !== 'seo-basics'),
      { ...before.findings.find((one) => one.check === 'forms')!, fingerprint: 'f'.repeat(32), id: 'Fffff' },
    ],
    pages: before.pages.filter((page) => !page.url.endsWith('/about')),
  });

  it('marks findings new or persisting, and calls fixed only what was on a page tested again', () => {
    const compared = compareWithBaseline(now, before, { failOn: 'high', newOnly: false });
    expect(compared.findings.map((one) => [one.check, one.baseline])).toEqual([
      ['forms', 'persisting'],
      ['accessibility', 'persisting'],
      ['console-error', 'persisting'],
      ['forms', 'new'],
    ]);
    // The 500 of /cart is fixed; the missing description of /about is not known: /about was not tested.
    expect(compared.baseline?.fixed.map((one) => one.rule)).toEqual(['5xx']);
    expect(compared.baseline).toMatchObject({ run_id: 'qa_sample', new: 1, persisting: 3, new_only: false });
    expect(compared.summary.status).toBe('failed');
  });

  it('with new-only, fails on new findings at the threshold only', () => {
    const compared = compareWithBaseline(now, before, { failOn: 'high', newOnly: true });
    expect(failingFindings(compared, 'high', true).map((one) => one.id)).toEqual(['Fffff']);
    expect(compared.summary.status).toBe('failed');
    const nothingNew = compareWithBaseline(before, before, { failOn: 'high', newOnly: true });
    expect(nothingNew.summary.status).toBe('passed');
    expect(compareWithBaseline(before, before, { failOn: 'high', newOnly: false }).summary.status).toBe(
      'failed',
    );
  });

  it('reads a report file, and names the file and field of one that is not', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(before));
    expect(readBaseline(good).run.id).toBe('qa_sample');
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        run: { id: 'x' },
        findings: [{ fingerprint: 'a', check: 'c', rule: 'r', severity: 'awful', url: 'u' }],
      }),
    );
    expect(() => readBaseline(bad)).toThrow(
      `--baseline ${bad}: findings.0.severity: expected one of critical, high, medium, low, info`,
    );
    writeFileSync(bad, 'secret-token-123 is not json');
    expect(() => readBaseline(bad)).toThrow(/not JSON/);
    expect(() => readBaseline(bad)).not.toThrow(/secret-token/);
    expect(() => readBaseline(join(dir, 'none.json'))).toThrow(/cannot read it \(ENOENT\)/);
  });
});

describe('JUnit', () => {
  const xml = renderJunit(sampleReport());

  it('is well-formed XML whatever the pages say', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('\u0007');
    expect(xml).not.toContain('<img src=x');
  });

  it('has the structure JUnit readers expect: a suite per check, a case per page and check', () => {
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="[^"]+" tests="30" failures="5" errors="0" skipped="0" time="42.500">/,
    );
    for (const suite of xml.match(/<testsuite [^>]*>/g) ?? []) {
      expect(suite).toMatch(
        /name="[^"]+" tests="\d+" failures="\d+" errors="0" skipped="0" time="[\d.]+" timestamp="[^"]+"/,
      );
    }
    expect(xml.match(/<testsuite /g)).toHaveLength(5);
    expect(xml).toContain('<testcase classname="forms" name="https://shop.test/product/2" time="0">');
    expect(xml).toMatch(/<failure message="1 finding: A field has no label" type="high\/missing-label">/);
  });

  it('reads back with the suite orchestrator’s own JUnit reader: failures where findings fail the run', () => {
    const parsed = parseJunit(xml);
    expect(parsed.tests).toHaveLength(30);
    const failed = parsed.tests.filter((test) => test.outcome === 'failed');
    expect(failed.map((test) => `${test.file} ${test.titlePath.join(' ')}`).sort()).toEqual([
      'accessibility https://shop.test/',
      'forms https://shop.test/product/1',
      'forms https://shop.test/product/2',
      'forms https://shop.test/product/3',
      'http-status https://shop.test/cart',
    ]);
  });
});

describe('SARIF', () => {
  const sarif = JSON.parse(renderSarif(sampleReport())) as {
    $schema: string;
    version: string;
    runs: {
      tool: {
        driver: {
          name: string;
          rules: { id: string; shortDescription: { text: string }; helpUri?: string }[];
        };
      };
      results: {
        ruleId: string;
        ruleIndex: number;
        level: string;
        message: { text: string };
        locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        relatedLocations?: { id: number }[];
        partialFingerprints: Record<string, string>;
        baselineState?: string;
      }[];
    }[];
  };

  it('has what SARIF 2.1.0 requires: version, schema, one run with a tool driver, rules and results', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const [run] = sarif.runs;
    expect(run!.tool.driver.name).toBe('Flotilla QA');
    const ids = run!.tool.driver.rules.map((rule) => rule.id);
    expect(ids).toEqual([...new Set(ids)]);
    expect(run!.tool.driver.rules.find((rule) => rule.id === 'accessibility/image-alt')?.helpUri).toMatch(
      /^https:\/\/dequeuniversity/,
    );
    for (const result of run!.results) {
      expect(run!.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(['error', 'warning', 'note', 'none']).toContain(result.level);
      expect(result.message.text.length).toBeGreaterThan(0);
      expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^https:\/\//);
      expect(Object.values(result.partialFingerprints)[0]).toMatch(/^[0-9a-f]{32}$/);
    }
    const grouped = run!.results.find((result) => result.ruleId === 'forms/missing-label')!;
    expect(grouped.level).toBe('error');
    expect(grouped.relatedLocations?.map((one) => one.id)).toEqual([1, 2]);
    expect(run!.results.find((result) => result.ruleId === 'seo-basics/missing-description')!.level).toBe(
      'note',
    );
  });

  it('gives each result its baseline state, and a fixed finding as absent', () => {
    const before = sampleReport();
    const now = sampleReport({ findings: before.findings.filter((one) => one.check !== 'http-status') });
    const compared = JSON.parse(
      renderSarif(compareWithBaseline(now, before, { failOn: 'high', newOnly: false })),
    ) as typeof sarif;
    const states = compared.runs[0]!.results.map((result) => [result.ruleId, result.baselineState]);
    expect(states).toContainEqual(['forms/missing-label', 'unchanged']);
    expect(states).toContainEqual(['http-status/5xx', 'absent']);
  });
});

describe('Markdown', () => {
  it('has the summary, the findings and the pages not tested, the site’s text escaped', () => {
    const text = renderMarkdown(sampleReport());
    expect(text).toMatch(/^# Flotilla QA: failed\n/);
    expect(text).toContain('| 6 | 2 | 2 | 1 | 1 | 1 | 0 |');
    expect(text).toContain('## Pages not tested');
    expect(text).toContain('3 pages:');
    expect(text).not.toContain('<img');
    expect(text).not.toContain('](javascript');
    expect(text).toContain('&lt;img src=x onerror="alert\\(1\\)"&gt;');
  });
});

describe('formats', () => {
  it('parses a list, each once, and names what is not a format', () => {
    expect(parseFormats('json, html,json,sarif')).toEqual(['json', 'html', 'sarif']);
    expect(() => parseFormats('json,pdf')).toThrow(
      '--format: unknown format "pdf"; the formats are json, html, md, junit, sarif',
    );
    expect(() => parseFormats(' , ')).toThrow(/expected formats/);
  });

  it('writes each format to its file in the folder, and nothing else', () => {
    const out = join(dir, 'out');
    const written = writeReports(out, sampleReport(), ['json', 'md', 'junit', 'sarif', 'html']);
    expect(written.map((one) => one.path)).toEqual(
      ['json', 'md', 'junit', 'sarif', 'html'].map((format) =>
        join(out, REPORT_FILES[format as keyof typeof REPORT_FILES]),
      ),
    );
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(sampleReport());
  });
});
