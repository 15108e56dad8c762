import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEVER_ABORTED } from '../../core/index.js';
import { BrowserPool, visitPage, type ContextLease } from '../browser/index.js';
import { withSelectorBuilder, type ElementSelector } from './dom-selector.js';
import { cleanPage, servePages, type PagesSite } from './fixtures/check-harness.js';

let site: PagesSite;
let pool: BrowserPool;
let lease: ContextLease;

const PAGE = cleanPage(
  'Selectors',
  `<section id="a:b"><p>One</p><p><em id="dup">Two</em></p></section>
<div id="dup"><ul><li>x</li><li><span>y</span></li></ul></div>
<svg><circle id="dot" r="1"/></svg>`,
);

beforeAll(async () => {
  site = await servePages({ '/selectors': PAGE });
  pool = await BrowserPool.launch({ contexts: 1, signal: NEVER_ABORTED });
  lease = await pool.acquire(NEVER_ABORTED);
});
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

interface Found {
  readonly selector: string;
  /** Whether the selector finds the element, and only it. */
  readonly unique: boolean;
}

describe('elementSelector', () => {
  it('names an element by its unique id, else by a path from the nearest unique id or body', async () => {
    const page = await lease.context.newPage();
    try {
      await visitPage(page, `${site.origin}/selectors`, { timeoutMs: 10_000, signal: NEVER_ABORTED });
      const found = await withSelectorBuilder(page, (selectorOf) =>
        page.evaluate(
          ({ selectorOf: of, targets }: { selectorOf: ElementSelector; targets: string[] }) => {
            const { document } = globalThis as unknown as {
              document: {
                querySelector(s: string): unknown;
                querySelectorAll(s: string): ArrayLike<unknown>;
              };
            };
            return targets.map((target) => {
              const element = document.querySelector(target) as Parameters<ElementSelector>[0];
              const selector = of(element);
              const all = document.querySelectorAll(selector);
              return { selector, unique: all.length === 1 && all[0] === element };
            });
          },
          {
            selectorOf,
            targets: [
              'section p:nth-of-type(2)',
              'section em',
              'div li:nth-child(2) span',
              '[id="a:b"]',
              'circle',
              'main',
            ],
          },
        ),
      );
      expect(found).toEqual<Found[]>([
        { selector: '#a\\:b > p:nth-of-type(2)', unique: true },
        // An id used twice names neither element.
        { selector: '#a\\:b > p:nth-of-type(2) > em', unique: true },
        { selector: 'body > main > div > ul > li:nth-of-type(2) > span', unique: true },
        { selector: '#a\\:b', unique: true },
        { selector: '#dot', unique: true },
        { selector: 'body > main', unique: true },
      ]);
    } finally {
      await page.close();
    }
  });
});
