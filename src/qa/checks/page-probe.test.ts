import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool } from '../browser/index.js';
import type { PageCheck } from './check.js';
import { checkPage, cleanPage, servePages, type PagesSite } from './fixtures/check-harness.js';
import { ScreenshotTaker } from './screenshots.js';

const never = new AbortController().signal;
let site: PagesSite;
let pool: BrowserPool;
let dir: string;

beforeAll(async () => {
  site = await servePages({
    '/': cleanPage('Home', '<p id="note" style="outline: 1px dotted blue">Note</p>'),
    '/noisy': cleanPage('Noisy', '', '<script>console.log("loading"); console.warn("careful")</script>'),
    '/other': cleanPage('Other', '<p id="note">Note</p>'),
    '/data.json': { body: '{"a": 1}', type: 'application/json' },
  });
  pool = await BrowserPool.launch({ contexts: 1, signal: never });
  dir = mkdtempSync(join(tmpdir(), 'flotilla-probe-'));
});
afterAll(async () => {
  await pool?.close();
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A check that reports one high finding on the element `#note`. */
const noteCheck: PageCheck = {
  id: 'forms',
  inspect: () =>
    Promise.resolve([
      { rule: 'note', severity: 'high', title: 'A note', message: 'There is a note.', selector: '#note' },
    ]),
};

describe('PageProbe', () => {
  it('gives the findings of every check, each with the check id, the page URL and a fingerprint', async () => {
    const heard: string[] = [];
    const watching: PageCheck = {
      id: 'console-error',
      watch: (page) => {
        const listener = (message: { text(): string }): void => {
          heard.push(message.text());
        };
        page.on('console', listener);
        return {
          finish: () =>
            heard.map((text) => ({
              rule: 'said',
              severity: 'low' as const,
              title: text,
              message: text,
              subject: text,
            })),
          stop: () => page.off('console', listener),
        };
      },
    };
    const { findings } = await checkPage(pool, `${site.origin}/noisy`, [noteCheck, watching]);
    expect(heard).toEqual(['loading', 'careful']);
    // The watch finishes first (CHECK_IDS order for inspections: console-error before forms).
    expect(findings.map((one) => [one.check, one.rule, one.url])).toEqual([
      ['console-error', 'said', `${site.origin}/noisy`],
      ['console-error', 'said', `${site.origin}/noisy`],
      ['forms', 'note', `${site.origin}/noisy`],
    ]);
    expect(new Set(findings.map((one) => one.fingerprint)).size).toBe(3);
  });

  it('turns a check that throws or runs out of time into an info finding, and runs the others', async () => {
    const throwing: PageCheck = {
      id: 'images',
      inspect: () => Promise.reject(new Error('no images here\nstack')),
    };
    const hanging: PageCheck = { id: 'keyboard', inspect: () => new Promise(() => undefined) };
    const { findings, visit } = await checkPage(pool, `${site.origin}/`, [throwing, hanging, noteCheck], {
      checkTimeoutMs: 300,
    });
    expect(visit.error).toBeUndefined();
    expect(findings.map((one) => [one.check, one.rule, one.severity, one.message])).toEqual([
      ['forms', 'note', 'high', 'There is a note.'],
      ['keyboard', 'check-error', 'info', 'The keyboard check took longer than 300 ms'],
      ['images', 'check-error', 'info', 'no images here'],
    ]);
  });

  it('does not inspect a document that is not HTML', async () => {
    let inspected = false;
    const check: PageCheck = {
      id: 'forms',
      inspect: () => {
        inspected = true;
        return Promise.resolve([]);
      },
    };
    const { findings, visit } = await checkPage(pool, `${site.origin}/data.json`, [check]);
    expect(visit.contentType).toBe('application/json');
    expect(inspected).toBe(false);
    expect(findings).toEqual([]);
  });
});

describe('ScreenshotTaker', () => {
  it('takes one screenshot per fingerprint at or above the threshold, the element outlined, then put back', async () => {
    const shots = new ScreenshotTaker({ dir, threshold: 'high' });
    const low: PageCheck = {
      id: 'seo-basics',
      inspect: () => Promise.resolve([{ rule: 'minor', severity: 'low', title: 'Minor', message: 'm' }]),
    };
    const first = await checkPage(pool, `${site.origin}/`, [noteCheck, low], { screenshots: shots });
    const second = await checkPage(pool, `${site.origin}/other`, [noteCheck, low], { screenshots: shots });
    const note = first.findings.find((one) => one.rule === 'note')!;
    expect(note.screenshot).toBe('screenshots/0001-forms.png');
    expect(statSync(join(dir, note.screenshot!)).size).toBeGreaterThan(1000);
    // The same defect on a page of another URL template has another fingerprint: its own screenshot.
    expect(second.findings.find((one) => one.rule === 'note')!.screenshot).toBe('screenshots/0002-forms.png');
    expect(first.findings.find((one) => one.rule === 'minor')!.screenshot).toBeNull();
    expect(readdirSync(join(dir, 'screenshots'))).toEqual(['0001-forms.png', '0002-forms.png']);
    // Same URL again: the fingerprint has its screenshot already.
    const again = await checkPage(pool, `${site.origin}/`, [noteCheck], { screenshots: shots });
    expect(again.findings[0]!.screenshot).toBeNull();
  });

  it('numbers on from the files a stopped run left in the folder, and restores the element’s own outline', async () => {
    const other = mkdtempSync(join(tmpdir(), 'flotilla-shots-'));
    try {
      const folder = join(other, 'screenshots');
      rmSync(folder, { recursive: true, force: true });
      const { mkdirSync } = await import('node:fs');
      mkdirSync(folder);
      writeFileSync(join(folder, '0007-forms.png'), '');
      const shots = new ScreenshotTaker({ dir: other, threshold: 'medium' });
      const outlineAfter: PageCheck = {
        id: 'seo-basics',
        inspect: async ({ page }) => {
          const outline = await page.evaluate(
            `document.querySelector('#note').style.outline + '|' + document.querySelectorAll('[data-flotilla-highlight]').length`,
          );
          return [{ rule: 'outline', severity: 'info', title: String(outline), message: '' }];
        },
      };
      const { findings } = await checkPage(pool, `${site.origin}/`, [noteCheck], { screenshots: shots });
      expect(findings[0]!.screenshot).toBe('screenshots/0008-forms.png');
      // A second visit of the same page, its checks reading the element after the screenshot of the first.
      const after = await checkPage(pool, `${site.origin}/`, [outlineAfter]);
      expect(after.findings[0]!.title).toBe('blue dotted 1px|0');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
