import { abortable } from '../browser/abortable.js';
import type { CheckFinding, PageCheck, PageCheckContext } from './check.js';
import { linkSelector, linkSnippet, quotedText } from './link-markup.js';

/*
 * `broken-link` in the page (docs/qa.md, "Checks"): links to a place of the same document that is not
 * there. The links to other URLs are checked beside the page, over HTTP (`link-checker.ts`).
 */

/** The most missing anchors one page reports: past them, the page's anchors are broken wholesale. */
export const MAX_ANCHOR_FINDINGS = 100;

/** A link of the document to a fragment of the document that no element answers to. */
export interface MissingAnchor {
  /** The `href` attribute as written. */
  readonly attribute: string;
  /** The fragment, percent-decoded (what an `id` would have to be). */
  readonly fragment: string;
  readonly text: string;
  readonly area: boolean;
}

/** The little of the DOM `findMissingAnchors` uses (the project's types have no DOM library). */
interface AnchorElement {
  readonly localName: string;
  readonly textContent: string | null;
  /** The link's target, resolved by the browser (against `<base href>` too). */
  readonly href: string;
  getAttribute(name: string): string | null;
}

interface AnchorGlobals {
  readonly document: {
    readonly URL: string;
    querySelectorAll(selectors: string): ArrayLike<AnchorElement>;
    getElementById(id: string): unknown;
    getElementsByName(name: string): ArrayLike<{ readonly localName: string }>;
  };
}

/**
 * The links of the document it runs in (`page.evaluate`) that point at a fragment of the document itself
 * (`#foo`, or `/same/path#foo` resolving to the page's own URL) which no element has as its `id` and no
 * `<a name>` has as its name: the browser's own lookup (HTML's "find a potential indicated element"),
 * with the fragment as written and percent-decoded. Not missing: `#` and `#top` (the spec sends both to
 * the top of the document when nothing has that id), and `#/route`, `#!/route` (a script's router, no
 * anchor). One per fragment, `max` at most. Self-contained (no imports, no named inner functions); it
 * reads, it changes nothing.
 */
export function findMissingAnchors(max: number): MissingAnchor[] {
  const { document } = globalThis as unknown as AnchorGlobals;
  const hash = document.URL.indexOf('#');
  const here = hash < 0 ? document.URL : document.URL.slice(0, hash);
  const found: MissingAnchor[] = [];
  const seen = new Set<string>();
  const links = document.querySelectorAll('a[href], area[href]');
  for (let i = 0; i < links.length && found.length < max; i++) {
    const link = links[i];
    if (link === undefined) continue;
    const target = link.href;
    const at = target.indexOf('#');
    if (at < 0 || target.slice(0, at) !== here) continue;
    const raw = target.slice(at + 1);
    if (raw.startsWith('/') || raw.startsWith('!')) continue;
    let fragment = raw;
    try {
      fragment = decodeURIComponent(raw);
    } catch {
      // Not valid percent-encoding: the browser looks the fragment up as it is.
    }
    if (seen.has(fragment)) continue;
    seen.add(fragment);
    if (document.getElementById(fragment) !== null || document.getElementById(raw) !== null) continue;
    const named = document.getElementsByName(fragment);
    let anchorNamed = false;
    for (let j = 0; j < named.length; j++) if (named[j]?.localName === 'a') anchorNamed = true;
    if (anchorNamed || fragment === '' || fragment.toLowerCase() === 'top') continue;
    const text = (link.localName === 'area' ? (link.getAttribute('alt') ?? '') : (link.textContent ?? ''))
      .replace(/\s+/g, ' ')
      .trim();
    found.push({
      attribute: link.getAttribute('href') ?? '',
      fragment,
      text,
      area: link.localName === 'area',
    });
  }
  return found;
}

/** A missing anchor as a finding. */
function anchorFinding(missing: MissingAnchor): CheckFinding {
  const named = missing.text === '' ? 'A link' : `The link "${quotedText(missing.text)}"`;
  const id = JSON.stringify(missing.fragment);
  return {
    rule: 'broken-anchor',
    severity: 'medium',
    title: 'Link to a missing anchor',
    message: `${named} points at #${missing.fragment} of this page, but no element has the id ${id} (nor is there an <a name=${id}>): following it goes nowhere.`,
    selector: linkSelector(missing),
    snippet: linkSnippet(missing),
    subject: `#${missing.fragment}`,
  };
}

/** The `broken-link` check's in-page side: `broken-anchor`. */
export const brokenLinkCheck: PageCheck = {
  id: 'broken-link',
  async inspect({ page, signal }: PageCheckContext): Promise<CheckFinding[]> {
    const missing = await abortable(page.evaluate(findMissingAnchors, MAX_ANCHOR_FINDINGS), signal);
    return missing.map(anchorFinding);
  },
};
