import { createHash } from 'node:crypto';

/*
 * The QA report model (docs/qa.md): what a crawl tested, what it did not and why, and what it found.
 * JSON, and every other format later, is rendered from this one model.
 */

/** How bad a finding is, worst first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One problem found on a page. */
export interface Finding {
  /** Unique in the report: `F` + the first 10 hex digits of the fingerprint. */
  readonly id: string;
  /**
   * The same problem in any run has the same fingerprint (check, rule, page URL and selector, hashed),
   * so a baseline can tell new findings from known ones.
   */
  readonly fingerprint: string;
  /** The check that found it (`http-status`, …). */
  readonly check: string;
  /** The check's rule (`5xx`, `4xx`, `navigation-timeout`, …). */
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly url: string;
  /** Other pages with the same problem (grouped findings); `[]` when none. */
  readonly affected_urls: readonly string[];
  readonly selector: string | null;
  readonly snippet: string | null;
  /** A screenshot's path in the report's folder, when one was taken. */
  readonly screenshot: string | null;
}

/** A page the crawl tested. */
export interface PageRecord {
  /** The page's canonical URL (its key in the crawl). */
  readonly url: string;
  /** The main document's HTTP status; `null` when the navigation failed before a response. */
  readonly status: number | null;
  readonly depth: number;
  readonly load_ms: number | null;
  readonly title: string | null;
  /** Where the navigation ended, when a redirect took it elsewhere. */
  readonly final_url?: string;
}

/** Why a URL was not tested. */
export interface NotTested {
  readonly url: string;
  readonly reason: string;
}

/** The whole report of one crawl. */
export interface QaReport {
  readonly run: {
    readonly id: string;
    readonly started_at: string;
    readonly finished_at: string;
    readonly config: Readonly<Record<string, unknown>>;
  };
  readonly summary: {
    readonly pages_tested: number;
    readonly pages_not_tested: number;
    readonly findings_by_severity: Readonly<Record<Severity, number>>;
    /** `passed` without findings at or above the failing severity, `failed` with some, `interrupted` when stopped. */
    readonly status: 'passed' | 'failed' | 'interrupted';
  };
  readonly pages: readonly PageRecord[];
  readonly not_tested: readonly NotTested[];
  readonly findings: readonly Finding[];
}

/** What a check knows of a finding before it gets its id and fingerprint. */
export type FindingInput = Omit<
  Finding,
  'id' | 'fingerprint' | 'affected_urls' | 'selector' | 'snippet' | 'screenshot'
> &
  Partial<Pick<Finding, 'affected_urls' | 'selector' | 'snippet' | 'screenshot'>>;

/** A finding with its fingerprint (check, rule, URL, selector) and id. */
export function finding(input: FindingInput): Finding {
  const selector = input.selector ?? null;
  const fingerprint = createHash('sha256')
    .update([input.check, input.rule, input.url, selector ?? ''].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
  return {
    id: `F${fingerprint.slice(0, 10)}`,
    fingerprint,
    check: input.check,
    rule: input.rule,
    severity: input.severity,
    title: input.title,
    message: input.message,
    url: input.url,
    affected_urls: input.affected_urls ?? [],
    selector,
    snippet: input.snippet ?? null,
    screenshot: input.screenshot ?? null,
  };
}

/** Counts of findings by severity, every severity present. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const one of findings) counts[one.severity] += 1;
  return counts;
}

/** Whether `severity` is at `threshold` or worse. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
