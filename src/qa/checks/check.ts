import type { Page } from 'playwright-core';
import type { PageVisit } from '../browser/index.js';
import type { Severity } from '../report.js';

/*
 * What a page is tested for (docs/qa.md, "Checks"). Each check has an id users select with `--checks` and
 * `--skip`. A check looks at the page a visit loaded, through `watch` (listening from before the
 * navigation: the console, the requests) and `inspect` (the loaded document), and says what it found as
 * findings; `broken-link`'s HTTP side runs beside the page, through the crawl's link checker.
 */

/** Every check, in the order a report lists them. All are on by default. */
export const CHECK_IDS = [
  'http-status',
  'console-error',
  'page-error',
  'failed-request',
  'broken-link',
  'accessibility',
  'forms',
  'keyboard',
  'mixed-content',
  'images',
  'seo-basics',
  'performance',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** The performance budgets (`--budget lcp=2500`): a page over one gets a `performance` finding. */
export interface PerformanceBudgets {
  /** Navigation start to the end of the load event, in milliseconds. */
  readonly load: number;
  /** Largest Contentful Paint, in milliseconds. */
  readonly lcp: number;
  /** Cumulative Layout Shift (the largest session window, as Core Web Vitals count it). */
  readonly cls: number;
}

/** The budgets a page is held to unless told otherwise: the "good" thresholds of Core Web Vitals, and 5 s to load. */
export const DEFAULT_BUDGETS: PerformanceBudgets = { load: 5_000, lcp: 2_500, cls: 0.1 };

/** How the checks are tuned (a spec's `budgets`, `external_links`, `ignore_console`). */
export interface CheckSettings {
  readonly budgets: PerformanceBudgets;
  /** Whether `broken-link` checks links to other origins too (never crawling them). */
  readonly externalLinks: boolean;
  /** Console messages that are not findings: regular expressions (case-insensitive) matched against the text. */
  readonly ignoreConsole: readonly RegExp[];
}

/** The settings when none are given. */
export const DEFAULT_CHECK_SETTINGS: CheckSettings = {
  budgets: DEFAULT_BUDGETS,
  externalLinks: true,
  ignoreConsole: [],
};

/** What a check knows of the page it looks at. */
export interface PageCheckContext {
  /** The page's URL in the crawl (its findings' `url`). */
  readonly url: string;
  /** The page, loaded, its document read. */
  readonly page: Page;
  readonly visit: PageVisit;
  readonly settings: CheckSettings;
  /** Aborts when the crawl stops or the check's time is up. */
  readonly signal: AbortSignal;
}

/** A finding as a check states it; the crawl adds the check's id and the page's URL. */
export interface CheckFinding {
  /** The check's rule (`5xx`, `color-contrast`, `missing-label`, …). */
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  /** A CSS selector of the element at fault, when there is one. */
  readonly selector?: string | null;
  /** The element's HTML, or the text at fault, short. */
  readonly snippet?: string | null;
  /** Where to read about the rule (axe-core's rule page). */
  readonly helpUrl?: string | null;
  /**
   * What the finding is about when no element is (a console message, a resource, a link's target): with
   * the check, rule, selector and URL template, it makes the fingerprint, so two different console errors
   * of one page are two findings, and the same one on every page is one.
   */
  readonly subject?: string;
}

/** What a check heard while the page loaded: `finish` stops listening and says what it found. */
export interface CheckWatch {
  finish(context: PageCheckContext): CheckFinding[] | Promise<CheckFinding[]>;
  /** Stops listening, when the visit failed before `finish` (no findings then). */
  stop(): void;
}

/** One check. A check never clicks, never submits a form, never types into a field. */
export interface PageCheck {
  readonly id: CheckId;
  /** Starts listening to `page` before the navigation. */
  watch?(page: Page, settings: CheckSettings): CheckWatch;
  /** Looks at the loaded page. Runs after every check's `finish`, in `CHECK_IDS` order. */
  inspect?(context: PageCheckContext): Promise<CheckFinding[]>;
}

/**
 * The side of `broken-link` that runs beside the page: the requests that check a tested page's links
 * (cached per URL, spaced per host with the crawl's navigations).
 */
export interface LinkChecking {
  check(pageUrl: string, visit: PageVisit, signal: AbortSignal): Promise<CheckFinding[]>;
}
