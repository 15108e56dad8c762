import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool, type ContextLease } from '../browser/index.js';
import { HOSTILE, sampleReport } from './fixtures/sample-report.js';
import { writeReports } from './write-reports.js';

const never = new AbortController().signal;
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
let dir: string;
let pool: BrowserPool;
let lease: ContextLease;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-html-'));
  mkdirSync(join(dir, 'screenshots'));
  // The screenshot the sample report names: any PNG will do (a 1×1 one).
  writeFileSync(join(dir, 'screenshots', '0001-forms.png'), Buffer.from(PNG, 'base64'));
  writeReports(dir, sampleReport(), ['html']);
  pool = await BrowserPool.launch({ contexts: 1, signal: never });
  lease = await pool.acquire(never);
}, 60_000);
afterAll(async () => {
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the HTML report opened in Chromium', () => {
  it('shows the findings table, filters it, runs nothing a page wrote and asks for nothing outside its folder', async () => {
    const page = await lease.context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    try {
      await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
      const shot = join(dir, 'seen.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);

      const rows = page.locator('#findings tr.finding');
      expect(await rows.count()).toBe(5);
      expect(await page.locator('#shown').textContent()).toBe('(5 of 5)');
      // Worst first: the two critical findings, then the grouped one over 3 product pages.
      expect(await rows.nth(2).locator('summary').textContent()).toContain('and 2 more pages');
      expect(await page.locator('.card.sev-critical .value').textContent()).toBe('2');

      await page.locator('input[name=severity][value=critical]').uncheck();
      expect(await page.locator('#findings tr.finding:not([hidden])').count()).toBe(3);
      await page.locator('input[name=text]').fill('missing-label');
      expect(await page.locator('#findings tr.finding:not([hidden])').count()).toBe(1);
      expect(await page.locator('#shown').textContent()).toBe('(1 of 5)');
      await page.locator('input[name=text]').fill('');
      await page.locator('select[name=check]').selectOption('console-error');
      expect(await page.locator('#findings tr.finding:not([hidden])').count()).toBe(1);

      // The hostile title is text on the page, not markup.
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.locator('#findings').textContent()).toContain('<img src=x onerror="alert(1)">');
      expect(await page.getByText(HOSTILE.slice(0, 20)).count()).toBeGreaterThan(0);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      // The screenshot loads from the report's folder; nothing else is asked for.
      expect(
        await page
          .locator('img[src="screenshots/0001-forms.png"]')
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).toBeGreaterThan(0);
      expect(requests.filter((url) => !url.startsWith(pathToFileURL(dir).href))).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
