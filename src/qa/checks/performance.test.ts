import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS } from './check.js';
import { useCheckSite } from './fixtures/check-harness.js';
import { cleanListenPaths, expected, listenPages } from './fixtures/listen-pages.js';
import { budgetFindings, performanceCheck, readPerformance } from './performance.js';

/** Pages of this test only. */
const pages = {
  ...listenPages,
  // Nothing to paint: no Largest Contentful Paint.
  '/listen/perf/empty':
    '<!doctype html><html lang="en"><head><title>Empty</title></head><body></body></html>',
};

const site = useCheckSite(pages);

describe('performance', () => {
  it('reads the load time, LCP and CLS of a loaded page, the same when read again', async () => {
    const context = await site.pool.openContext();
    try {
      const page = await context.newPage();
      await page.goto(`${site.origin}/listen/clean`, { waitUntil: 'load' });
      const clean = await readPerformance(page);
      expect(clean.load_ms).toBeGreaterThan(0);
      expect(clean.lcp_ms).toBeGreaterThan(0);
      expect(clean.cls).toBe(0);
      await page.goto(`${site.origin}/listen/cls-over-budget`, { waitUntil: 'load' });
      const shifted = await readPerformance(page);
      expect(shifted.cls).toBeGreaterThan(DEFAULT_BUDGETS.cls * 2);
      // A second reading reads the same: the first took nothing away.
      expect(await readPerformance(page)).toMatchObject({ cls: shifted.cls, lcp_ms: shifted.lcp_ms });
      await page.goto(`${site.origin}/listen/perf/empty`, { waitUntil: 'load' });
      expect(await readPerformance(page)).toMatchObject({ lcp_ms: null, cls: 0 });
    } finally {
      await context.close();
    }
  });

  it('gives the planted slow and shifting pages with the default budgets, and nothing for the clean pages', async () => {
    for (const { path, rule, severity } of expected.filter((one) => one.check === 'performance')) {
      const { findings } = await site.check(path, [performanceCheck]);
      expect(
        findings.map((one) => [one.rule, one.severity]),
        path,
      ).toEqual([[rule, severity]]);
    }
    for (const path of cleanListenPaths) {
      const { findings } = await site.check(path, [performanceCheck]);
      expect(findings, path).toEqual([]);
    }
  });

  it('holds a page to the budgets it is given, and a metric the browser did not report to none', async () => {
    const budgets = { load: 1, lcp: 1, cls: 0.0001 };
    const clean = await site.check('/listen/clean', [performanceCheck], {
      settings: { budgets },
    });
    expect(clean.findings.map(({ rule, severity }) => [rule, severity])).toEqual([
      ['load-over-budget', 'high'],
      ['lcp-over-budget', 'high'],
    ]);
    expect(clean.findings[1]?.message).toMatch(
      /^The largest content of the page was painted at \d+ ms, over the budget of 1 ms\.$/,
    );
    // No LCP on an empty page, and no shift: only its load time is over.
    const empty = await site.check('/listen/perf/empty', [performanceCheck], {
      settings: { budgets },
    });
    expect(empty.findings.map(({ rule }) => rule)).toEqual(['load-over-budget']);
  });

  it('is medium over the budget, high over twice the budget, and silent on what is unknown', () => {
    const budgets = { load: 1_000, lcp: 2_000, cls: 0.1 };
    const found = (load_ms: number | null, lcp_ms: number | null, cls: number | null): string[] =>
      budgetFindings({ load_ms, lcp_ms, cls }, budgets).map(({ rule, severity }) => `${rule} ${severity}`);
    expect(found(1_000, 2_000, 0.1)).toEqual([]);
    expect(found(1_001, 4_000, 0.2)).toEqual([
      'load-over-budget medium',
      'lcp-over-budget medium',
      'cls-over-budget medium',
    ]);
    expect(found(2_001, 4_001, 0.21)).toEqual([
      'load-over-budget high',
      'lcp-over-budget high',
      'cls-over-budget high',
    ]);
    expect(found(null, null, null)).toEqual([]);
    expect(
      budgetFindings({ load_ms: 1_500, lcp_ms: null, cls: 0.25 }, budgets).map(({ message }) => message),
    ).toEqual([
      'The page took 1500 ms to load (navigation start to the end of the load event), over the budget of 1000 ms.',
      "The page's Cumulative Layout Shift is 0.25 (its largest session window of layout shifts), over the budget of 0.1.",
    ]);
  });
});
