/** The longest text a link keeps, in characters (code points). */
export const MAX_LINK_TEXT = 200;
/** How many links a visit keeps by default; a page with more says so (`linksTruncated`). */
export const DEFAULT_MAX_LINKS = 10_000;

/** A link of a page (`<a href>` or `<area href>`). */
export interface PageLink {
  /** The target, absolute: resolved against the document's base URL (`<base href>`, else its own URL). */
  readonly href: string;
  /** The visible text, whitespace collapsed and trimmed, at most `MAX_LINK_TEXT` characters; for a link
   * with no text, its `aria-label`, `title` or image's `alt`. */
  readonly text: string;
  /** The `rel` attribute as written (`''` when there is none), such as `nofollow`. */
  readonly rel: string;
  /** The `data-method` attribute (lower case) of a link a script turns into a request (Rails' `delete`). */
  readonly dataMethod?: string;
  /**
   * The `href` attribute exactly as written (`../a?b#c`, spaces kept): what a selector of the link
   * (`a[href="../a?b#c"]`) matches. Absent only in links built by hand.
   */
  readonly attribute?: string;
  /** Set for an `<area href>` (an image map's region), absent for an `<a href>`. */
  readonly area?: true;
}

/** What `readPageContent` reads from a document. */
export interface PageContent {
  /** The document's MIME type as the browser decided it. */
  readonly contentType: string;
  readonly title: string;
  /** The resolved `href` of `<link rel="canonical">`, or `null`. */
  readonly canonical: string | null;
  readonly links: PageLink[];
  readonly linksTruncated: boolean;
  /** Navigation start to the end of the load event (Navigation Timing), or `null` when not there. */
  readonly loadMs: number | null;
}

/** What `readPageContent` is given. */
export interface PageContentLimits {
  readonly maxText: number;
  readonly maxLinks: number;
}

/** The little of the DOM `readPageContent` uses (the project's types have no DOM library). */
interface PageElement {
  readonly localName: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selectors: string): PageElement | null;
}

interface PageGlobals {
  readonly document: {
    readonly title: string;
    readonly baseURI: string;
    readonly contentType: string;
    querySelector(selectors: string): PageElement | null;
    querySelectorAll(selectors: string): ArrayLike<PageElement>;
  };
  readonly performance: {
    getEntriesByType(type: string): ArrayLike<{ readonly startTime: number; readonly loadEventEnd: number }>;
  };
}

/**
 * Reads the title, the canonical link and the links of the document it runs in. It runs in the page
 * (`page.evaluate`), so it is self-contained: no imports, and no named inner functions, whose names a
 * bundler may wrap in helpers the page does not have. It reads; it never clicks or submits anything.
 */
export function readPageContent(limits: PageContentLimits): PageContent {
  const { document, performance } = globalThis as unknown as PageGlobals;
  const html = document.contentType === 'text/html' || document.contentType === 'application/xhtml+xml';
  const timing = performance.getEntriesByType('navigation')[0];
  const loadMs =
    timing !== undefined && timing.loadEventEnd > 0
      ? Math.round(timing.loadEventEnd - timing.startTime)
      : null;
  const base = document.baseURI;
  let canonical: string | null = null;
  const canonicalHref = document.querySelector('link[rel~="canonical" i][href]')?.getAttribute('href');
  if (canonicalHref !== undefined && canonicalHref !== null) {
    try {
      canonical = new URL(canonicalHref.trim(), base).href;
    } catch {
      canonical = null;
    }
  }
  const links: PageLink[] = [];
  let linksTruncated = false;
  const anchors = html ? document.querySelectorAll('a[href], area[href]') : [];
  for (let i = 0; i < anchors.length; i++) {
    const anchor = anchors[i];
    if (anchor === undefined) continue;
    if (links.length >= limits.maxLinks) {
      linksTruncated = true;
      break;
    }
    const attribute = anchor.getAttribute('href') ?? '';
    let href: string;
    try {
      href = new URL(attribute.trim(), base).href;
    } catch {
      continue;
    }
    let text = (anchor.localName === 'area' ? '' : (anchor.textContent ?? '')).replace(/\s+/g, ' ').trim();
    if (text === '') {
      const alt = anchor.localName === 'area' ? anchor : anchor.querySelector('img[alt]');
      text = (
        anchor.getAttribute('aria-label') ??
        anchor.getAttribute('title') ??
        alt?.getAttribute('alt') ??
        ''
      )
        .replace(/\s+/g, ' ')
        .trim();
    }
    if (text.length > limits.maxText) text = Array.from(text).slice(0, limits.maxText).join('');
    const rel = (anchor.getAttribute('rel') ?? '').trim();
    const method = anchor.getAttribute('data-method');
    links.push({
      href,
      text,
      rel,
      ...(method === null ? {} : { dataMethod: method.toLowerCase() }),
      attribute,
      ...(anchor.localName === 'area' ? { area: true as const } : {}),
    });
  }
  return {
    contentType: document.contentType,
    title: document.title.trim(),
    canonical,
    links,
    linksTruncated,
    loadMs,
  };
}
