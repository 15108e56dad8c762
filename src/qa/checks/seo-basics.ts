import type { CheckFinding, PageCheck } from './check.js';

/*
 * `seo-basics` (docs/qa.md, "Checks"): what every page should have for search engines and for the
 * people and tools that read it: a title, a language, a top heading and a description. One finding per
 * page and rule, with no element to point at.
 */

/** What `readSeoBasics` finds in a document. */
export interface SeoBasics {
  /** The document's title, trimmed (`''` when it has none). */
  readonly title: string;
  /** `<html lang>`, trimmed (`''` when absent or empty). */
  readonly lang: string;
  readonly h1: boolean;
  /** The first non-empty `<meta name="description">` content, trimmed (`''` when none). */
  readonly description: string;
}

/** The little of the DOM `readSeoBasics` uses (the project's types have no DOM library). */
interface SeoGlobals {
  readonly document: {
    readonly title: string;
    readonly documentElement: { getAttribute(name: string): string | null };
    querySelector(selectors: string): unknown;
    querySelectorAll(selectors: string): ArrayLike<{ getAttribute(name: string): string | null }>;
  };
}

/** Reads the title, language, `<h1>` and description of the document it runs in. Runs in the page, self-contained. */
function readSeoBasics(): SeoBasics {
  const { document } = globalThis as unknown as SeoGlobals;
  const description = Array.from(document.querySelectorAll('meta[name="description" i]'))
    .map((meta) => (meta.getAttribute('content') ?? '').trim())
    .find((content) => content !== '');
  return {
    title: document.title.trim(),
    lang: (document.documentElement.getAttribute('lang') ?? '').trim(),
    h1: document.querySelector('h1') !== null,
    description: description ?? '',
  };
}

/** The `seo-basics` findings of what a page has. */
export function seoFindings(basics: SeoBasics): CheckFinding[] {
  const found: CheckFinding[] = [];
  if (basics.title === '') {
    found.push({
      rule: 'missing-title',
      severity: 'medium',
      title: 'Page without a title',
      message:
        'The page has no <title> (or an empty one): search results, browser tabs and bookmarks show its URL instead, and a screen reader has nothing to announce.',
    });
  }
  if (basics.lang === '') {
    found.push({
      rule: 'missing-lang',
      severity: 'low',
      title: 'Page without a language',
      message:
        'The <html> element has no lang attribute: screen readers guess how to pronounce the text, and translation tools and search engines guess its language.',
    });
  }
  if (!basics.h1) {
    found.push({
      rule: 'missing-h1',
      severity: 'low',
      title: 'Page without an <h1>',
      message:
        'The page has no <h1>: nothing says what it is about at the top of its outline, for search engines and for those who move through it by headings.',
    });
  }
  if (basics.description === '') {
    found.push({
      rule: 'missing-description',
      severity: 'low',
      title: 'Page without a description',
      message:
        'The page has no <meta name="description"> (or an empty one): search engines show whatever text of it they pick in their results.',
    });
  }
  return found;
}

/** The `seo-basics` check: a page's title (medium), language, `<h1>` and description (low). */
export const seoBasicsCheck: PageCheck = {
  id: 'seo-basics',
  async inspect({ page }) {
    return seoFindings(await page.evaluate(readSeoBasics));
  },
};
