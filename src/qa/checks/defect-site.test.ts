import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool } from '../browser/index.js';
import { crawl } from '../crawl.js';
import type { QaReport } from '../report.js';
import { CLEAN_PATHS, LINKED, PLANTED, serveDefectSite } from './fixtures/defect-site.js';
import type { PagesSite } from './fixtures/check-harness.js';
import { ScreenshotTaker } from './screenshots.js';

let pool: BrowserPool;
let site: PagesSite;
let dir: string;
let report: QaReport;

beforeAll(async () => {
  site = await serveDefectSite();
  dir = mkdtempSync(join(tmpdir(), 'flotilla-defects-'));
  pool = await BrowserPool.launch({ contexts: 2, signal: AbortSignal.timeout(60_000) });
  // Every check, as a user's crawl has them by default.
  report = await crawl({
    urls: [`${site.origin}/`],
    workers: 2,
    maxPages: 200,
    maxDepth: 1,
    rateLimit: 0,
    ignoreRobots: true,
    pool,
    screenshots: new ScreenshotTaker({ dir, threshold: 'high' }),
  });
}, 300_000);
afterAll(async () => {
  await pool?.close();
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

const pathOf = (url: string): string => url.slice(site.origin.length);

describe('a crawl of the defect site with every check', () => {
  it('tests every page', () => {
    expect(report.summary.status).toBe('failed');
    const tested = new Set(report.pages.map(({ url }) => pathOf(url)));
    expect(['/', ...LINKED].filter((path) => !tested.has(path))).toEqual([]);
  });

  it('finds each planted defect with its check, rule, page and severity', () => {
    const found = report.findings.flatMap((one) =>
      one.affected_urls.map((url) => ({
        path: pathOf(url),
        check: one.check,
        rule: one.rule,
        severity: one.severity,
      })),
    );
    for (const planted of PLANTED) expect(found, JSON.stringify(planted)).toContainEqual(planted);
  });

  it('finds nothing on the clean pages', () => {
    const onClean = report.findings.filter((one) =>
      one.affected_urls.some((url) => CLEAN_PATHS.includes(pathOf(url))),
    );
    expect(
      onClean.map((one) => ({
        pages: one.affected_urls.map(pathOf).filter((path) => CLEAN_PATHS.includes(path)),
        check: one.check,
        rule: one.rule,
        message: one.message,
      })),
    ).toEqual([]);
  });

  it('takes a screenshot of each finding at the threshold or worse, once per fingerprint', () => {
    const high = report.findings.filter((one) => one.severity === 'high' || one.severity === 'critical');
    const shot = high.filter((one) => one.screenshot !== null);
    expect(shot.length).toBeGreaterThan(0);
    for (const one of shot) expect(statSync(join(dir, one.screenshot!)).size).toBeGreaterThan(1000);
    const below = report.findings.filter((one) => !high.includes(one));
    expect(below.filter((one) => one.screenshot !== null)).toEqual([]);
  });
});
