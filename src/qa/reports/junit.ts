import type { Finding, QaReport } from '../report.js';
import { failingFindings } from './baseline.js';
import { xml } from './escape.js';

/**
 * The report as JUnit XML, for CI test views: one `<testsuite>` per check, one `<testcase>` per page tested
 * and check (`classname` the check, `name` the page's URL). A page with findings of the check that fail the
 * run (at `fail_on` or worse; the new ones only with `--new-only`) has a `<failure>` carrying them; its
 * other findings of the check are in the case's `<system-out>`. Times are the whole crawl's, on the root:
 * a page's checks are not timed one by one.
 */
export function renderJunit(report: QaReport): string {
  const failOn = (report.run.config['fail_on'] as Finding['severity'] | undefined) ?? 'high';
  const failing = new Set(failingFindings(report, failOn, report.baseline?.new_only === true));
  const checks = (report.run.config['checks'] as readonly string[] | undefined) ?? [
    ...new Set(report.findings.map((one) => one.check)),
  ];
  const seconds =
    Math.max(0, (Date.parse(report.run.finished_at) - Date.parse(report.run.started_at)) / 1000) || 0;
  const byPageCheck = new Map<string, Finding[]>();
  for (const one of report.findings) {
    for (const url of one.affected_urls) {
      const key = `${one.check}\u0000${url}`;
      const list = byPageCheck.get(key) ?? [];
      list.push(one);
      byPageCheck.set(key, list);
    }
  }
  let total = 0;
  let failures = 0;
  const suites = checks.map((check) => {
    let suiteFailures = 0;
    const cases = report.pages.map((page) => {
      const found = byPageCheck.get(`${check}\u0000${page.url}`) ?? [];
      const bad = found.filter((one) => failing.has(one));
      const other = found.filter((one) => !failing.has(one));
      const open = `    <testcase classname="${xml(check)}" name="${xml(page.url)}" time="0"`;
      if (found.length === 0) return `${open}/>`;
      const parts: string[] = [];
      if (bad.length > 0) {
        suiteFailures++;
        const first = bad[0]!;
        parts.push(
          `      <failure message="${xml(`${bad.length} finding${bad.length === 1 ? '' : 's'}: ${first.title}`)}" type="${xml(`${first.severity}/${first.rule}`)}">${xml(bad.map(describe).join('\n\n'))}</failure>`,
        );
      }
      if (other.length > 0)
        parts.push(`      <system-out>${xml(other.map(describe).join('\n\n'))}</system-out>`);
      return `${open}>\n${parts.join('\n')}\n    </testcase>`;
    });
    total += cases.length;
    failures += suiteFailures;
    return (
      `  <testsuite name="${xml(check)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="0" time="0" timestamp="${xml(report.run.started_at.replace(/Z$/, ''))}">\n` +
      `${cases.join('\n')}\n  </testsuite>`
    );
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${xml(`Flotilla QA ${report.run.id}`)}" tests="${total}" failures="${failures}" errors="0" skipped="0" time="${seconds.toFixed(3)}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}

/** One finding as plain text in a failure or the case's output. */
function describe(one: Finding): string {
  return [
    `[${one.severity}] ${one.check}/${one.rule}: ${one.title}`,
    one.message,
    ...(one.selector === null ? [] : [`selector: ${one.selector}`]),
    ...(one.snippet === null ? [] : [`snippet: ${one.snippet}`]),
    ...(one.help_url === null ? [] : [`help: ${one.help_url}`]),
    ...(one.baseline === undefined ? [] : [`baseline: ${one.baseline}`]),
    `finding ${one.id} (${one.affected_urls.length} page${one.affected_urls.length === 1 ? '' : 's'})`,
  ].join('\n');
}
