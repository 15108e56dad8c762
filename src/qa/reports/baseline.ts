import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InvalidArgumentError } from '../../core/index.js';
import { atLeast, SEVERITIES, type Finding, type QaReport, type Severity } from '../report.js';

/*
 * A report against an earlier one (`--baseline REPORT.json`): which findings are new, which persist, which
 * were fixed. Findings are matched by fingerprint, which folds what varies between runs and pages
 * (docs/qa.md, "Findings").
 */

const findingSchema = z.looseObject({
  fingerprint: z.string({ error: 'expected a fingerprint' }),
  check: z.string({ error: 'expected a check id' }),
  rule: z.string({ error: 'expected a rule' }),
  severity: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` }),
  url: z.string({ error: 'expected a URL' }),
  affected_urls: z.array(z.string()).optional(),
});

const baselineSchema = z.looseObject({
  run: z.looseObject({ id: z.string({ error: 'expected a run id' }) }, { error: 'expected the run' }),
  findings: z.array(findingSchema, { error: 'expected a list of findings' }),
});

/**
 * The report in `file`, as `flotilla qa` wrote it (`report.json`), for `compareWithBaseline`.
 * @throws InvalidArgumentError naming the file and the field that does not fit; never quoting the file.
 */
export function readBaseline(file: string): QaReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(`--baseline ${file}: cannot read it (${code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`--baseline ${file}: not JSON (expected a report.json of flotilla qa)`);
  }
  const checked = baselineSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(the whole file)';
    throw new InvalidArgumentError(`--baseline ${file}: ${field}: ${issue.message}`);
  }
  return parsed as QaReport;
}

/**
 * `report` with each finding marked `new` or `persisting` (found in `baseline` by fingerprint), and
 * `baseline` telling how many of each and which of the baseline's findings were fixed: not found again,
 * though this run tested again at least one page it was on (a finding of pages this run did not test is
 * neither fixed nor known: it is left out). With `newOnly`, only new findings at `failOn` or worse make
 * the report `failed`.
 */
export function compareWithBaseline(
  report: QaReport,
  baseline: QaReport,
  options: { failOn: Severity; newOnly: boolean },
): QaReport {
  const known = new Set(baseline.findings.map((one) => one.fingerprint));
  const now = new Set(report.findings.map((one) => one.fingerprint));
  const findings: Finding[] = report.findings.map((one) => ({
    ...one,
    baseline: known.has(one.fingerprint) ? 'persisting' : 'new',
  }));
  const tested = new Set(report.pages.map((page) => page.url));
  const fixed = baseline.findings.filter(
    (one) => !now.has(one.fingerprint) && (one.affected_urls ?? [one.url]).some((url) => tested.has(url)),
  );
  const compared: QaReport = {
    ...report,
    findings,
    baseline: {
      run_id: baseline.run.id,
      new: findings.filter((one) => one.baseline === 'new').length,
      persisting: findings.filter((one) => one.baseline === 'persisting').length,
      fixed,
      new_only: options.newOnly,
    },
  };
  return { ...compared, summary: { ...report.summary, status: reportStatus(compared, options) } };
}

/** The findings that fail the run: at `failOn` or worse, and with `newOnly` only the new ones. */
export function failingFindings(report: QaReport, failOn: Severity, newOnly: boolean): Finding[] {
  return report.findings.filter(
    (one) => atLeast(one.severity, failOn) && (!newOnly || one.baseline !== 'persisting'),
  );
}

/** `interrupted` stays; otherwise `failed` with a failing finding (`failingFindings`), else `passed`. */
export function reportStatus(
  report: QaReport,
  options: { failOn: Severity; newOnly: boolean },
): QaReport['summary']['status'] {
  if (report.summary.status === 'interrupted') return 'interrupted';
  return failingFindings(report, options.failOn, options.newOnly).length > 0 ? 'failed' : 'passed';
}
