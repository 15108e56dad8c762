import type { Page } from 'playwright-core';
import { abortable } from '../browser/abortable.js';
import type { CheckFinding, PageCheck, PageCheckContext, PerformanceBudgets } from './check.js';
import { measurePerformance } from './performance-page.js';

/*
 * `performance` (docs/qa.md, "Checks"): the page against its budgets (`--budget`), as the browser itself
 * measured it (Navigation Timing, Largest Contentful Paint, layout shifts). One load in a crawl is one
 * sample, on the crawler's machine and network: a finding says the page was slow then, not always.
 */

/** How long the reading waits for the buffered entries when the page draws no animation frame. */
const ENTRIES_WAIT_MS = 1_000;

/** A page's measured performance, as a page record holds it; `null` for what the browser did not say. */
export interface PerformanceMetrics {
  /** Navigation start to the end of the load event, in milliseconds. */
  readonly load_ms: number | null;
  /** Largest Contentful Paint, in milliseconds from navigation start. */
  readonly lcp_ms: number | null;
  /** Cumulative Layout Shift: the largest session window, as Core Web Vitals count it. */
  readonly cls: number | null;
}

/** Reads the loaded page's load time, LCP and CLS from its performance entries (`performance-page.ts`). */
export async function readPerformance(page: Page, signal?: AbortSignal): Promise<PerformanceMetrics> {
  const reading = page.evaluate(measurePerformance, ENTRIES_WAIT_MS);
  const { loadMs, lcpMs, cls } = await (signal === undefined ? reading : abortable(reading, signal));
  return { load_ms: loadMs, lcp_ms: lcpMs, cls };
}

/**
 * The `performance` check: `load-over-budget`, `lcp-over-budget`, `cls-over-budget` for a metric over
 * its budget (`settings.budgets`, `DEFAULT_BUDGETS` unless told), medium, high when over twice the
 * budget. A metric the browser did not report (no LCP entry, say) gives no finding.
 */
export const performanceCheck: PageCheck = {
  id: 'performance',
  async inspect(context: PageCheckContext): Promise<CheckFinding[]> {
    return budgetFindings(await readPerformance(context.page, context.signal), context.settings.budgets);
  },
};

/** The findings of `metrics` against `budgets`: one per metric over its budget. */
export function budgetFindings(metrics: PerformanceMetrics, budgets: PerformanceBudgets): CheckFinding[] {
  const found: CheckFinding[] = [];
  const over = (value: number | null, budget: number): value is number => value !== null && value > budget;
  if (over(metrics.load_ms, budgets.load)) {
    found.push({
      rule: 'load-over-budget',
      severity: severity(metrics.load_ms, budgets.load),
      title: 'Slow page load',
      message: `The page took ${metrics.load_ms} ms to load (navigation start to the end of the load event), over the budget of ${budgets.load} ms.`,
    });
  }
  if (over(metrics.lcp_ms, budgets.lcp)) {
    found.push({
      rule: 'lcp-over-budget',
      severity: severity(metrics.lcp_ms, budgets.lcp),
      title: 'Slow Largest Contentful Paint',
      message: `The largest content of the page was painted at ${metrics.lcp_ms} ms, over the budget of ${budgets.lcp} ms.`,
    });
  }
  if (over(metrics.cls, budgets.cls)) {
    found.push({
      rule: 'cls-over-budget',
      severity: severity(metrics.cls, budgets.cls),
      title: 'Layout shifts',
      message: `The page's Cumulative Layout Shift is ${metrics.cls} (its largest session window of layout shifts), over the budget of ${budgets.cls}.`,
    });
  }
  return found;
}

/** Medium over the budget, high over twice the budget. */
function severity(value: number, budget: number): CheckFinding['severity'] {
  return value > budget * 2 ? 'high' : 'medium';
}
