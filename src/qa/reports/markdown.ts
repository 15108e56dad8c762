import { SEVERITIES, type Finding, type QaReport } from '../report.js';
import { markdown as md } from './escape.js';

/** Text as a code span: shown as written, never markup; a backtick in it becomes `%60`, a line break a space. */
function code(text: string): string {
  return `\`${text.replace(/`/g, '%60').replace(/\s+/g, ' ')}\``;
}

/** The most pages a finding lists in the Markdown report (the JSON has them all). */
const MAX_PAGES_LISTED = 5;

/**
 * The report as Markdown (a pull request comment, a CI summary): the summary, the findings worst first,
 * then by check, each with its pages, the fixed ones against a baseline, and the pages not tested with
 * their reasons. Every text from the site is escaped (`escape.ts`).
 */
export function renderMarkdown(report: QaReport): string {
  const { summary, run } = report;
  const lines: string[] = [];
  lines.push(`# Flotilla QA: ${summary.status}`, '');
  const urls = (run.config['urls'] as readonly string[] | undefined) ?? [];
  lines.push(
    `Run ${code(run.id)} of ${urls.map(code).join(', ') || 'a site'}, ${md(run.started_at)} to ${md(run.finished_at)}.`,
    '',
  );
  lines.push('| pages tested | not tested | ' + SEVERITIES.join(' | ') + ' |');
  lines.push('| --- | --- | ' + SEVERITIES.map(() => '---').join(' | ') + ' |');
  lines.push(
    `| ${summary.pages_tested} | ${summary.pages_not_tested} | ${SEVERITIES.map((one) => summary.findings_by_severity[one]).join(' | ')} |`,
    '',
  );
  if (report.baseline !== undefined) {
    const { baseline } = report;
    lines.push(
      `Against the baseline ${code(baseline.run_id)}: ${baseline.new} new, ${baseline.persisting} persisting, ${baseline.fixed.length} fixed${baseline.new_only ? ' (only new findings fail the run)' : ''}.`,
      '',
    );
  }
  lines.push('## Findings', '');
  if (report.findings.length === 0) lines.push('None.', '');
  const ordered = [...report.findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.check.localeCompare(b.check),
  );
  for (const one of ordered) lines.push(...findingLines(one), '');
  if (report.baseline !== undefined && report.baseline.fixed.length > 0) {
    lines.push('## Fixed since the baseline', '');
    for (const one of report.baseline.fixed) {
      lines.push(`- **${one.severity}** \`${one.check}/${one.rule}\` ${md(one.title)} (${code(one.url)})`);
    }
    lines.push('');
  }
  lines.push('## Pages not tested', '');
  if (report.not_tested.length === 0) lines.push('None.', '');
  else {
    lines.push('| URL | reason |', '| --- | --- |');
    for (const skipped of report.not_tested)
      lines.push(`| ${code(skipped.url).replace(/\|/g, '%7C')} | ${md(skipped.reason)} |`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function findingLines(one: Finding): string[] {
  const state = one.baseline === undefined ? '' : ` _${one.baseline}_`;
  const lines = [
    `### ${one.severity}: ${md(one.title)}${state}`,
    '',
    `\`${one.check}/${one.rule}\` · ${md(one.message)}`,
  ];
  if (one.selector !== null) lines.push('', `Element: ${code(one.selector)}`);
  if (one.help_url !== null) lines.push('', `Help: ${code(one.help_url)}`);
  if (one.screenshot !== null) lines.push('', `Screenshot: ${code(one.screenshot)}`);
  const shown = one.affected_urls.slice(0, MAX_PAGES_LISTED);
  const more = one.affected_urls.length - shown.length;
  lines.push('', `${one.affected_urls.length} page${one.affected_urls.length === 1 ? '' : 's'}:`);
  for (const url of shown) lines.push(`- ${code(url)}`);
  if (more > 0) lines.push(`- … and ${more} more`);
  return lines;
}
