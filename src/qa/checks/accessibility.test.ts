import { describe, expect, it } from 'vitest';
import { NEVER_ABORTED } from '../../core/index.js';
import { visitPage } from '../browser/index.js';
import {
  accessibilityCheck,
  axeSelector,
  MAX_NODES_PER_RULE,
  MAX_SNIPPET,
  severityOfImpact,
  violationFindings,
} from './accessibility.js';
import { DEFAULT_CHECK_SETTINGS } from './check.js';
import { useCheckSite, type CheckedPage } from './fixtures/check-harness.js';
import { domCleanPaths, domHtmlPaths, domPages, expectedLines, foundLines } from './fixtures/dom-pages.js';
import { formsCheck } from './forms.js';
import { imagesCheck } from './images.js';
import { seoBasicsCheck } from './seo-basics.js';

const site = useCheckSite(domPages);

function check(path: string): Promise<CheckedPage> {
  return site.check(path, [accessibilityCheck]);
}

describe('accessibility', () => {
  it('finds each planted defect with its rule, severity and selector, and nothing else on any page', async () => {
    for (const path of domHtmlPaths) {
      const { findings } = await check(path);
      expect(foundLines(findings, path, 'accessibility'), path).toEqual(expectedLines(path, 'accessibility'));
    }
  }, 120_000);

  it('gives no finding on the clean pages: the cleanPage() template passes axe-core', async () => {
    for (const path of domCleanPaths) expect((await check(path)).findings, path).toEqual([]);
  });

  it("states each element's finding as axe-core does: its help, summary, HTML and rule page", async () => {
    const { findings } = await check('/dom/a11y-defects');
    const noAlt = findings.find((one) => one.selector === '#no-alt');
    expect(noAlt).toMatchObject({
      check: 'accessibility',
      rule: 'image-alt',
      severity: 'critical',
      title: 'Images must have alternative text',
      snippet: '<img id="no-alt" src="/dom/logo.svg">',
      url: `${site.origin}/dom/a11y-defects`,
    });
    expect(noAlt?.message).toMatch(/^Fix any of the following:\nElement does not have an alt attribute\n/);
    expect(noAlt?.message.split('\n').length).toBeLessThanOrEqual(6);
    expect(noAlt?.help_url).toMatch(/^https:\/\/dequeuniversity\.com\/rules\/axe\/[\d.]+\/image-alt/);
  });

  it('runs on a page whose Content-Security-Policy forbids every script', async () => {
    const { visit, findings } = await check('/dom/a11y-csp');
    // The page's own inline script was refused: the policy is in force.
    expect(visit.title).toBe('DOM: accessibility defects');
    expect(foundLines(findings, '/dom/a11y-csp', 'accessibility')).toEqual(
      expectedLines('/dom/a11y-csp', 'accessibility'),
    );
  });

  it(`reports at most ${MAX_NODES_PER_RULE} elements of one rule, and says how many there were`, async () => {
    const { findings } = await check('/dom/a11y-many');
    expect(findings).toHaveLength(MAX_NODES_PER_RULE);
    expect(new Set(findings.map((one) => one.rule))).toEqual(new Set(['image-alt']));
    expect(new Set(findings.map((one) => one.fingerprint)).size).toBe(MAX_NODES_PER_RULE);
    for (const one of findings) {
      expect(one.message).toContain(
        `(60 elements of this page break this rule; the first ${MAX_NODES_PER_RULE} are reported.)`,
      );
    }
  });

  it('adds no console message and leaves no global behind, and puts back the globals of the page', async () => {
    const lease = await site.pool.acquire(NEVER_ABORTED);
    const page = await lease.context.newPage();
    try {
      const messages: string[] = [];
      for (const path of ['/dom/clean', '/dom/clean-own-globals']) {
        const url = `${site.origin}${path}`;
        const visit = await visitPage(page, url, { timeoutMs: 10_000, signal: NEVER_ABORTED });
        const before = await page.evaluate(() => Object.getOwnPropertyNames(globalThis).sort());
        page.on('console', (message) => messages.push(`${path}: ${message.type()}: ${message.text()}`));
        page.on('pageerror', (error) => messages.push(`${path}: ${error.message}`));
        const found = await accessibilityCheck.inspect!({
          url,
          page,
          visit,
          settings: DEFAULT_CHECK_SETTINGS,
          signal: NEVER_ABORTED,
        });
        expect(found, path).toEqual([]);
        page.removeAllListeners('console');
        page.removeAllListeners('pageerror');
        const after = await page.evaluate(() => ({
          names: Object.getOwnPropertyNames(globalThis).sort(),
          axe: (globalThis as Record<string, unknown>)['axe'],
          doT: (globalThis as Record<string, unknown>)['doT'],
          elementsFromPoint: Object.prototype.hasOwnProperty.call(
            (globalThis as unknown as { document: object }).document,
            'elementsFromPoint',
          ),
        }));
        expect(after.names, path).toEqual(before);
        expect(after.elementsFromPoint, path).toBe(false);
        if (path === '/dom/clean-own-globals')
          expect(after).toMatchObject({ axe: { mine: true }, doT: 'the page’s own' });
        else expect(after).toMatchObject({ axe: undefined, doT: undefined });
      }
      expect(messages).toEqual([]);
    } finally {
      await page.close();
      site.pool.release(lease);
    }
  });
});

describe('the four document checks together', () => {
  it('give every page of the area what domExpected says, one after the other as a crawl runs them', async () => {
    const checks = [seoBasicsCheck, imagesCheck, formsCheck, accessibilityCheck];
    for (const path of domHtmlPaths) {
      const { findings } = await site.check(path, checks);
      for (const id of ['accessibility', 'forms', 'images', 'seo-basics'] as const) {
        expect(foundLines(findings, path, id), `${path} ${id}`).toEqual(expectedLines(path, id));
      }
      expect(findings.filter((one) => one.rule === 'check-error')).toEqual([]);
    }
  }, 120_000);
});

describe('violationFindings', () => {
  const rule = {
    id: 'image-alt',
    impact: 'critical',
    help: 'Images must have alternative text',
    helpUrl: 'https://dequeuniversity.com/rules/axe/4.14/image-alt',
    description: 'Ensure <img> elements have alternative text',
    count: 1,
  };

  it('joins the levels of a selector into shadow roots and frames with >>>', () => {
    expect(axeSelector(['#a'])).toBe('#a');
    expect(axeSelector([['#host', 'img']])).toBe('#host >>> img');
    expect(axeSelector(['iframe', ['#host', 'button']])).toBe('iframe >>> #host >>> button');
  });

  it("takes each element's impact as its severity, low when there is none", () => {
    expect(['critical', 'serious', 'moderate', 'minor', null, 'new'].map(severityOfImpact)).toEqual([
      'critical',
      'high',
      'medium',
      'low',
      'low',
      'low',
    ]);
    const [one] = violationFindings({
      ...rule,
      impact: null,
      nodes: [{ target: ['img'], html: '<img>', failureSummary: '', impact: null }],
    });
    // No summary: the rule's description says what is wrong.
    expect(one).toMatchObject({ severity: 'low', message: rule.description, selector: 'img' });
  });

  it('keeps the first lines of a long summary', () => {
    const failureSummary = [
      'Fix all of the following:',
      ...Array.from({ length: 20 }, (_, i) => `  line ${i}`),
    ].join('\n');
    const [one] = violationFindings({
      ...rule,
      nodes: [{ target: ['img'], html: 'x'.repeat(MAX_SNIPPET), failureSummary, impact: 'serious' }],
    });
    expect(one?.message).toBe(
      ['Fix all of the following:', 'line 0', 'line 1', 'line 2', 'line 3', 'line 4'].join('\n'),
    );
    expect(one?.severity).toBe('high');
  });
});
