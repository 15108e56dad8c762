import { describe, expect, it } from 'vitest';
import { NEVER_ABORTED } from '../../core/index.js';
import { visitPage } from '../browser/index.js';
import { DEFAULT_CHECK_SETTINGS } from './check.js';
import { cleanPage, useCheckSite } from './fixtures/check-harness.js';
import { cleanListenPaths, expected, listenPages } from './fixtures/listen-pages.js';
import { MAX_PAGE_ERROR_FINDINGS, pageErrorCheck } from './page-error.js';
import { PageProbe } from './page-probe.js';

const letters = Array.from({ length: 25 }, (_, i) => String.fromCharCode(65 + i));

/** Pages of this test only. */
const pages = {
  ...listenPages,
  // Each kind of reason, thrown and rejected; one message both thrown and rejected.
  '/listen/errors/mixed': cleanPage(
    'Mixed errors',
    `<script>class QuotaError extends Error { constructor(m) { super(m); this.name = 'QuotaError'; } }
Promise.reject(new QuotaError('Storage is full'));
Promise.reject({ code: 7 });
Promise.reject('a plain string');
Promise.reject([1, 2]);
(async () => { throw new RangeError('Twice over'); })();</script>
<script>throw new RangeError('Twice over');</script>
<script>throw 'thrown string';</script>
<script>window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof Error && event.reason.message === 'Cancelled by the page') event.preventDefault();
});
Promise.reject(new Error('Cancelled by the page'));</script>
<script>throw new Error('Cancelled by the page');</script>
<script>const late = Promise.reject(new Error('Handled late'));
setTimeout(() => late.catch(() => undefined), 50);</script>
<script async src="/listen/hold-load.js"></script>`,
  ),
  '/listen/errors/many': cleanPage(
    'Many errors',
    letters.map((letter) => `<script>throw new Error('Problem ${letter}');</script>`).join('\n'),
  ),
  '/listen/errors/repeated': cleanPage(
    'Repeated errors',
    Array.from({ length: 5 }, (_, i) => `<script>throw new Error('Widget ${i} failed');</script>`).join('\n'),
  ),
};

const site = useCheckSite(pages);

describe('page-error', () => {
  it('tells an unhandled rejection from an uncaught exception in the first visit of a new page', async () => {
    // A context of its own: its page is new, so the recorder's init script is sent just before this navigation.
    const context = await site.pool.openContext();
    try {
      const url = `${site.origin}/listen/unhandled-rejection`;
      const probe = new PageProbe({ url, checks: [pageErrorCheck], settings: DEFAULT_CHECK_SETTINGS });
      await visitPage(context, url, { timeoutMs: 20_000, signal: NEVER_ABORTED, probe });
      expect(probe.findings.map(({ rule }) => rule)).toEqual(['unhandled-rejection']);
    } finally {
      await context.close();
    }
  });

  it('gives the planted errors with the first stack frame, and nothing for the clean pages', async () => {
    const messages: Record<string, RegExp> = {
      '/listen/uncaught-exception':
        /^TypeError: window\.startCarousel is not a function \(at .*\/listen\/uncaught-exception:\d+:\d+\)$/,
      '/listen/unhandled-rejection':
        /^Error: Payment service unavailable \(at .*\/listen\/unhandled-rejection:\d+:\d+\)$/,
    };
    for (const { path, rule, severity } of expected.filter((one) => one.check === 'page-error')) {
      // Twice: the page (and its init script) is reused, and says each error once a visit.
      for (let visit = 0; visit < 2; visit++) {
        const { findings } = await site.check(path, [pageErrorCheck]);
        expect(findings, path).toHaveLength(1);
        expect(findings[0]).toMatchObject({ check: 'page-error', rule, severity, selector: null });
        expect(findings[0]?.message).toMatch(messages[path]!);
        expect(findings[0]?.snippet).toMatch(/^at /);
      }
    }
    for (const path of cleanListenPaths) {
      const { findings } = await site.check(path, [pageErrorCheck]);
      expect(findings, path).toEqual([]);
    }
  });

  it('classifies every kind of reason; a rejection the page cancels or handles late is none', async () => {
    const { findings } = await site.check('/listen/errors/mixed', [pageErrorCheck]);
    const said = findings.map(({ rule, message }) => `${rule} ${message.replace(/ \(at .*\)$/, '')}`).sort();
    expect(said).toEqual(
      [
        'unhandled-rejection QuotaError: Storage is full',
        'unhandled-rejection Object',
        'unhandled-rejection a plain string',
        'unhandled-rejection Array(2)',
        'unhandled-rejection RangeError: Twice over',
        'uncaught-exception RangeError: Twice over',
        'uncaught-exception thrown string',
        'uncaught-exception Error: Cancelled by the page',
      ].sort(),
    );
  });

  it(`gives one finding per distinct error, at most ${MAX_PAGE_ERROR_FINDINGS} a page`, async () => {
    const many = await site.check('/listen/errors/many', [pageErrorCheck]);
    expect(many.findings).toHaveLength(MAX_PAGE_ERROR_FINDINGS);
    expect(many.findings.at(-1)?.message).toMatch(/^Error: Problem T /);
    const repeated = await site.check('/listen/errors/repeated', [pageErrorCheck]);
    expect(repeated.findings.map(({ message }) => message.replace(/ \(at .*\)$/, ''))).toEqual([
      'Error: Widget 0 failed',
    ]);
  });
});
