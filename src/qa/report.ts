import { fingerprintOf } from './checks/fingerprint.js';

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
   * The same problem has the same fingerprint on every page of one kind and in every run: the check, the
   * rule, the normalised selector (or subject) and the page's URL template, hashed (`checks/fingerprint.ts`).
   * Findings of one fingerprint are one finding of the report, with all their pages in `affected_urls`; a
   * baseline tells new findings from known ones by it.
   */
  readonly fingerprint: string;
  /** The check that found it (`http-status`, …). */
  readonly check: string;
  /** The check's rule (`5xx`, `4xx`, `navigation-timeout`, …). */
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  /** The first page it was found on. */
  readonly url: string;
  /** Every page it was found on, `url` first, in the order the crawl tested them. */
  readonly affected_urls: readonly string[];
  readonly selector: string | null;
  readonly snippet: string | null;
  /** Where to read about the rule (axe-core's rule page), when there is such a page. */
  readonly help_url: string | null;
  /** A screenshot's path in the report's folder (`screenshots/0001-accessibility.png`), when one was taken. */
  readonly screenshot: string | null;
  /** Against `--baseline`: found there too (`persisting`) or not (`new`); absent without a baseline. */
  readonly baseline?: 'new' | 'persisting';
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
  /** Against `--baseline`: what it was, how many findings are new or persist, and the ones fixed. */
  readonly baseline?: BaselineComparison;
}

/** A report compared with an earlier one (`reports/baseline.ts`). */
export interface BaselineComparison {
  /** The baseline's run id. */
  readonly run_id: string;
  readonly new: number;
  readonly persisting: number;
  /** Findings of the baseline not found again on pages this run tested again. */
  readonly fixed: readonly Finding[];
  /** Whether only new findings set the status (`--new-only`). */
  readonly new_only: boolean;
}

/** What a check knows of a finding before it gets its id and fingerprint. */
export type FindingInput = Omit<
  Finding,
  'id' | 'fingerprint' | 'affected_urls' | 'selector' | 'snippet' | 'help_url' | 'screenshot' | 'baseline'
> &
  Partial<Pick<Finding, 'affected_urls' | 'selector' | 'snippet' | 'help_url' | 'screenshot'>> & {
    /** What it is about when no element is (a console message, a link's target): part of the fingerprint. */
    readonly subject?: string;
  };

/** A finding with its fingerprint and id, found on `input.url` (its only affected URL, unless given). */
export function finding(input: FindingInput): Finding {
  const selector = input.selector ?? null;
  const fingerprint = fingerprintOf({
    check: input.check,
    rule: input.rule,
    url: input.url,
    selector,
    ...(input.subject === undefined ? {} : { subject: input.subject }),
  });
  return {
    id: `F${fingerprint.slice(0, 10)}`,
    fingerprint,
    check: input.check,
    rule: input.rule,
    severity: input.severity,
    title: input.title,
    message: input.message,
    url: input.url,
    affected_urls: input.affected_urls ?? [input.url],
    selector,
    snippet: input.snippet ?? null,
    help_url: input.help_url ?? null,
    screenshot: input.screenshot ?? null,
  };
}

/**
 * The findings of many pages as the report lists them: one per fingerprint, in the order first found,
 * with every page it was found on in `affected_urls`, the worst severity any of them had, and the first
 * screenshot taken of it.
 */
export function groupFindings(findings: readonly Finding[]): Finding[] {
  const groups = new Map<
    string,
    { first: Finding; urls: string[]; seen: Set<string>; worst: Severity; screenshot: string | null }
  >();
  for (const one of findings) {
    const group = groups.get(one.fingerprint);
    if (group === undefined) {
      groups.set(one.fingerprint, {
        first: one,
        urls: [...one.affected_urls],
        seen: new Set(one.affected_urls),
        worst: one.severity,
        screenshot: one.screenshot,
      });
      continue;
    }
    for (const url of one.affected_urls) {
      if (!group.seen.has(url)) {
        group.seen.add(url);
        group.urls.push(url);
      }
    }
    if (atLeast(one.severity, group.worst)) group.worst = one.severity;
    group.screenshot ??= one.screenshot;
  }
  return [...groups.values()].map(({ first, urls, worst, screenshot }) => ({
    ...first,
    severity: worst,
    affected_urls: urls,
    screenshot,
  }));
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
