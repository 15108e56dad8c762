import { SEVERITIES, type QaReport } from '../../qa/index.js';
import type { Output } from '../output.js';
import { style } from '../style.js';

/** The end of a crawl: pages tested and not, findings by severity, the worst findings, where the report is. */
export function printQaReport(output: Output, report: QaReport, file: string | null): void {
  const { summary } = report;
  output.line();
  output.line(
    `${summary.status === 'passed' ? style.green('✔') : style.red('✖')} ${style.bold(summary.status)}: ${summary.pages_tested} pages tested, ${summary.pages_not_tested} not tested`,
  );
  const counts = SEVERITIES.map((severity) => `${summary.findings_by_severity[severity]} ${severity}`).join(
    ' · ',
  );
  output.line(`  findings  ${counts}`);
  for (const one of report.findings.slice(0, 20)) {
    output.line(`  ${one.severity.padEnd(8)} ${one.title}  ${style.dim(one.url)}`);
  }
  if (report.findings.length > 20) output.line(style.dim(`  … and ${report.findings.length - 20} more`));
  const reasons = new Map<string, number>();
  for (const skipped of report.not_tested)
    reasons.set(skipped.reason, (reasons.get(skipped.reason) ?? 0) + 1);
  for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    output.line(style.dim(`  not tested: ${count} × ${reason}`));
  }
  if (file !== null) output.line(`  report    ${file}`);
}
