import { createRequire } from 'node:module';
import type { Finding, QaReport, Severity } from '../report.js';

/** Where SARIF 2.1.0's JSON schema is published. */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

const BASELINE_STATE = { new: 'new', persisting: 'unchanged' } as const;

/** Flotilla's version, for the tool's driver. */
function version(): string {
  try {
    return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * The report as SARIF 2.1.0, for code scanning views: one rule per `check/rule`, one result per finding
 * (its level from the severity: critical and high `error`, medium `warning`, low and info `note`), located
 * at its first page's URL, its other pages as `relatedLocations`, our fingerprint as a
 * `partialFingerprints` entry, and with a baseline, `baselineState` (`new`, `unchanged`; a fixed finding
 * is an `absent` result).
 */
export function renderSarif(report: QaReport): string {
  const rules: { id: string; finding: Finding }[] = [];
  const ruleIndex = new Map<string, number>();
  const all = [...report.findings, ...(report.baseline?.fixed ?? [])];
  for (const one of all) {
    const id = `${one.check}/${one.rule}`;
    if (!ruleIndex.has(id)) {
      ruleIndex.set(id, rules.length);
      rules.push({ id, finding: one });
    }
  }
  const result = (one: Finding, state?: 'new' | 'unchanged' | 'absent') => {
    const id = `${one.check}/${one.rule}`;
    const [first, ...others] = one.affected_urls.length > 0 ? one.affected_urls : [one.url];
    return {
      ruleId: id,
      ruleIndex: ruleIndex.get(id)!,
      level: LEVEL[one.severity],
      message: { text: `${one.title}: ${one.message}` },
      locations: [location(first!, one)],
      ...(others.length === 0
        ? {}
        : { relatedLocations: others.map((url, index) => ({ id: index + 1, ...location(url, one) })) }),
      partialFingerprints: { 'flotillaFingerprint/v1': one.fingerprint },
      ...(state === undefined ? {} : { baselineState: state }),
      properties: {
        severity: one.severity,
        check: one.check,
        finding_id: one.id,
        affected_urls: one.affected_urls.length,
        ...(one.selector === null ? {} : { selector: one.selector }),
        ...(one.snippet === null ? {} : { snippet: one.snippet }),
        ...(one.screenshot === null ? {} : { screenshot: one.screenshot }),
      },
    };
  };
  const baselined = report.baseline !== undefined;
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Flotilla QA',
            version: version(),
            rules: rules.map(({ id, finding }) => ({
              id,
              name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) =>
                (next ?? '').toUpperCase(),
              ),
              shortDescription: { text: finding.title },
              ...(finding.help_url === null ? {} : { helpUri: finding.help_url }),
              defaultConfiguration: { level: LEVEL[finding.severity] },
              properties: { check: finding.check },
            })),
          },
        },
        automationDetails: { id: `flotilla-qa/${report.run.id}` },
        invocations: [
          {
            executionSuccessful: report.summary.status !== 'interrupted',
            startTimeUtc: report.run.started_at,
            endTimeUtc: report.run.finished_at,
          },
        ],
        results: [
          ...report.findings.map((one) =>
            result(one, baselined ? BASELINE_STATE[one.baseline ?? 'new'] : undefined),
          ),
          ...(report.baseline?.fixed ?? []).map((one) => result(one, 'absent')),
        ],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** A result's place: the page's URL, and the element's selector as a logical location when there is one. */
function location(url: string, one: Finding) {
  return {
    physicalLocation: { artifactLocation: { uri: url } },
    ...(one.selector === null ? {} : { logicalLocations: [{ name: one.selector, kind: 'element' }] }),
  };
}
