import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool, visitPage } from '../browser/index.js';
import type { Finding } from '../report.js';
import { checkPage, cleanPage, servePages, type PagesSite } from './fixtures/check-harness.js';
import { cleanKeyboardPaths, expected, keyboardPages, manyLinks } from './fixtures/keyboard-pages.js';
import { keyboardCheck, keyboardFindings, MAX_FINDINGS_PER_RULE } from './keyboard.js';
import { MAX_TAB_PRESSES, walkTabOrder, type TabWalk } from './keyboard-walk.js';

const never = new AbortController().signal;
let site: PagesSite;
let pool: BrowserPool;

/** Pages of these tests only, beside the shared set. */
const extraPages: Record<string, string> = {
  '/extra/restore': cleanPage(
    'Restore',
    `<div id="box" style="height: 100px; overflow: auto"><p style="height: 400px">Tall</p>
<a href="#deep" id="deep">Deep in the box</a></div><p style="height: 3000px">Tall page</p>
<a href="#bottom" id="bottom">Bottom</a><input id="auto" autofocus>`,
  ),
  '/extra/many-invisible': cleanPage(
    'Many invisible',
    `<p>${manyLinks(30)}</p>`,
    '<style>a:focus { outline: none; }</style>',
  ),
  '/extra/nothing': cleanPage('Nothing to focus', '<p>Only text.</p>'),
  '/extra/one-link': cleanPage('One link', '<p><a href="#only">Only link</a></p>'),
};

beforeAll(async () => {
  site = await servePages(extraPages);
  pool = await BrowserPool.launch({ contexts: 1, signal: never });
  // The pages are looked up per request: these need the port, known only now.
  Object.assign(extraPages, keyboardPages, {
    '/extra/cross-frame': cleanPage(
      'Cross-origin frame',
      `<p><a href="#a">A</a></p><iframe title="Elsewhere" src="${site.origin.replace('127.0.0.1', 'localhost')}/extra/framed"></iframe>
<p><a href="#b">B</a></p>`,
    ),
    '/extra/framed': cleanPage(
      'Framed',
      '<p><a href="#one">One</a> <a href="#two">Two</a> <a href="#three">Three</a></p>',
    ),
  });
});
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

async function findingsOf(path: string): Promise<Finding[]> {
  const { findings } = await checkPage(pool, `${site.origin}${path}`, [keyboardCheck]);
  return findings;
}

/** The walk of a freshly loaded `path`, in a page of its own. */
async function walkOf(path: string): Promise<TabWalk> {
  const lease = await pool.acquire(never);
  try {
    const page = await lease.context.newPage();
    try {
      await visitPage(page, `${site.origin}${path}`, { timeoutMs: 10_000, signal: never });
      return await walkTabOrder(page, never);
    } finally {
      await page.close();
    }
  } finally {
    pool.release(lease);
  }
}

function rules(findings: readonly Finding[]): string[] {
  return findings.map((one) => `${one.rule} ${one.severity} ${one.selector ?? ''}`.trim());
}

describe('the keyboard check', () => {
  it.each(cleanKeyboardPaths)('gives no finding on the clean page %s', async (path) => {
    expect(rules(await findingsOf(path))).toEqual([]);
  });

  it('finds each custom focus indicator of /kbd/custom-focus: without them, every element is flagged', async () => {
    const withIndicators = await walkOf('/kbd/custom-focus');
    expect(withIndicators.reached.map((one) => one.visible)).toEqual(withIndicators.reached.map(() => true));
    extraPages['/extra/custom-focus-removed'] = keyboardPages['/kbd/custom-focus']!.replace(
      /<style>[\s\S]*?<\/style>/,
      '<style>*:focus { outline: none; }</style>',
    );
    const findings = await findingsOf('/extra/custom-focus-removed');
    expect(findings.map((one) => one.rule)).toEqual(withIndicators.reached.map(() => 'focus-not-visible'));
    expect(findings).toHaveLength(7);
  });

  it('takes a cross-origin frame for one element with several stops, judged for nothing', async () => {
    const walk = await walkOf('/extra/cross-frame');
    expect(walk.end).toBe('cycle');
    expect(walk.reached.map((one) => [one.selector, one.visible])).toEqual([
      ['body > main:nth-of-type(1) > p:nth-of-type(1) > a:nth-of-type(1)', true],
      ['body > main:nth-of-type(1) > iframe:nth-of-type(1)', null],
      ['body > main:nth-of-type(1) > p:nth-of-type(2) > a:nth-of-type(1)', true],
    ]);
    expect(await findingsOf('/extra/cross-frame')).toEqual([]);
  });

  it('gives every planted page the findings `expected` lists, and no other rule', async () => {
    const paths = [...new Set(expected.map((one) => one.path))];
    for (const path of paths) {
      const findings = await findingsOf(path);
      const want = expected.filter((one) => one.path === path);
      expect(new Set(findings.map((one) => `${one.check} ${one.rule} ${one.severity}`)), path).toEqual(
        new Set(want.map((one) => `${one.check} ${one.rule} ${one.severity}`)),
      );
    }
  });

  it('finds focus-not-visible on each element of a page with `*:focus { outline: none }`', async () => {
    const findings = await findingsOf('/kbd/focus-not-visible');
    expect(findings.map((one) => one.selector)).toEqual([
      'body > main:nth-of-type(1) > nav:nth-of-type(1) > a:nth-of-type(1)',
      'body > main:nth-of-type(1) > nav:nth-of-type(1) > a:nth-of-type(2)',
      '#name',
      '#mail',
      'body > main:nth-of-type(1) > form:nth-of-type(1) > p:nth-of-type(3) > button:nth-of-type(1)',
      'body > main:nth-of-type(1) > form:nth-of-type(1) > p:nth-of-type(3) > button:nth-of-type(2)',
    ]);
    expect(findings[2]).toMatchObject({
      check: 'keyboard',
      rule: 'focus-not-visible',
      severity: 'medium',
      snippet: '<input id="name" name="name">',
      help_url: 'https://www.w3.org/WAI/WCAG22/Understanding/focus-visible.html',
    });
  });

  it('finds the trap at the input whose keydown cancels Tab, and says the walk was cut', async () => {
    const findings = await findingsOf('/kbd/trap-stuck');
    expect(rules(findings)).toEqual(['keyboard-trap high #code', 'walk-incomplete info']);
    expect(findings[0]?.message).toMatch(
      /stayed there for 3 presses in a row; 2 focusable elements were never reached/,
    );
    expect(findings[1]?.message).toMatch(/stopped at the keyboard trap: 2 of the page's focusable elements/);
  });

  it('finds the trap where a script sends focus back, at the first element of the cycle', async () => {
    const findings = await findingsOf('/kbd/trap-cycle');
    expect(rules(findings)).toEqual(['keyboard-trap high #first', 'walk-incomplete info']);
    expect(findings[0]?.message).toMatch(/cycles among 2 elements \(#first → #second\)/);
  });

  it('finds a modal that keeps focus inside a trap, though everything was reached once', async () => {
    const findings = await findingsOf('/kbd/trap-modal');
    expect(rules(findings)).toEqual(['keyboard-trap high #accept']);
    expect(findings[0]?.message).toMatch(/A modal that keeps focus inside/);
  });

  it('finds the link a focus handler skips, and the role="button" out of the Tab order', async () => {
    expect(rules(await findingsOf('/kbd/unreachable-skipped'))).toEqual(['unreachable medium #skipped']);
    const widget = await findingsOf('/kbd/unreachable-widget');
    expect(rules(widget)).toEqual(['unreachable medium #fake']);
    expect(widget[0]?.message).toMatch(/role="button" but is not in the Tab order/);
  });

  it('ends a 200-link page on its bound: walk-incomplete, and no element called unreachable', async () => {
    const findings = await findingsOf('/kbd/long');
    expect(rules(findings)).toEqual(['walk-incomplete info']);
    expect(findings[0]?.message).toBe(
      `The Tab walk stopped at its bound of ${MAX_TAB_PRESSES} Tab presses before focus came back round: ` +
        "50 of the page's focusable elements were not reached, and none is reported unreachable.",
    );
  });

  it(`lists at most ${MAX_FINDINGS_PER_RULE} findings of a rule, and says how many more`, async () => {
    const findings = await findingsOf('/extra/many-invisible');
    expect(findings.filter((one) => one.rule === 'focus-not-visible')).toHaveLength(MAX_FINDINGS_PER_RULE);
    expect(findings.at(-1)).toMatchObject({
      rule: 'findings-capped',
      severity: 'info',
      message: '5 more focus-not-visible findings on this page are not listed (at most 25 per rule).',
    });
  });

  it('walks a page of one link round, through the browser or straight back to it', async () => {
    const walk = await walkOf('/extra/one-link');
    expect(walk).toMatchObject({ end: 'cycle', trap: null, unreached: 0 });
    expect(walk.reached).toHaveLength(1);
    expect(await findingsOf('/extra/one-link')).toEqual([]);
  });

  it('gives nothing on a page with nothing to focus, in a few presses', async () => {
    const lease = await pool.acquire(never);
    try {
      const page = await lease.context.newPage();
      await page.goto(`${site.origin}/extra/nothing`);
      const walk = await walkTabOrder(page, never);
      expect(walk).toMatchObject({ end: 'cycle', presses: 4, unreached: 0, reached: [] });
      expect(keyboardFindings(walk)).toEqual([]);
      await page.close();
    } finally {
      pool.release(lease);
    }
  });
});

describe('walkTabOrder', () => {
  it('leaves the page blurred and scrolled back, a scrolled box too, from an autofocused field', async () => {
    const lease = await pool.acquire(never);
    try {
      const page = await lease.context.newPage();
      await visitPage(page, `${site.origin}/extra/restore`, { timeoutMs: 10_000, signal: never });
      const before = await page.evaluate(() => {
        const g = globalThis as unknown as {
          scrollY: number;
          document: { activeElement: { id: string }; getElementById(id: string): { scrollTop: number } };
        };
        return {
          y: g.scrollY,
          box: g.document.getElementById('box').scrollTop,
          active: g.document.activeElement.id,
        };
      });
      expect(before.active).toBe('auto');
      const walk = await walkTabOrder(page, never);
      expect(walk.end).toBe('cycle');
      expect(walk.reached.map((one) => one.selector)).toEqual(
        expect.arrayContaining(['#deep', '#bottom', '#auto']) as string[],
      );
      const after = await page.evaluate(() => {
        const g = globalThis as unknown as {
          scrollY: number;
          document: {
            activeElement: { localName: string };
            getElementById(id: string): { scrollTop: number };
          };
        };
        return {
          y: g.scrollY,
          box: g.document.getElementById('box').scrollTop,
          active: g.document.activeElement.localName,
        };
      });
      expect(after).toEqual({ y: before.y, box: before.box, active: 'body' });
      await page.close();
    } finally {
      pool.release(lease);
    }
  });

  it('stops when its signal aborts, with the signal reason', async () => {
    const lease = await pool.acquire(never);
    try {
      const page = await lease.context.newPage();
      await page.goto(`${site.origin}/kbd/long`);
      const controller = new AbortController();
      const reason = new Error('stopped');
      const walking = walkTabOrder(page, controller.signal);
      setTimeout(() => controller.abort(reason), 50);
      await expect(walking).rejects.toBe(reason);
      await page.close();
    } finally {
      pool.release(lease);
    }
  });
});
