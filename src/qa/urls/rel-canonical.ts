import { canonicalUrl, parseUrl, type CanonicalParamOptions, type CanonicalResult } from './canonical.js';
import { isNonHtml } from './link.js';
import type { Scope } from './scope.js';

/** Options of `resolveCanonical`. */
export interface ResolveCanonicalOptions {
  /** The crawl's scope: a declared canonical outside it is ignored. Default: the page's own origin. */
  readonly scope?: Scope;
  /** Which query parameters canonical URLs keep (the crawl's own options, so keys agree). */
  readonly params?: CanonicalParamOptions;
}

/**
 * The key a loaded page goes by, so two URLs that declare the same `<link rel="canonical">` are one
 * page: the canonical URL of `canonicalHref` (resolved against `pageUrl`, which should be the page's
 * final URL after redirects) when it is an `http:`/`https:` URL in scope that names a page (not a
 * `.pdf`, say); else the page's own canonical URL. Several declared canonicals that disagree are
 * ignored, as search engines do; an absent, empty or invalid one is ignored.
 *
 * A page knows its canonical only once loaded: the crawl keys what it queues by `canonicalUrl`, and
 * after loading treats a page whose key here was already tested as a duplicate. Never throws; the
 * result is a skip only when `pageUrl` itself has no canonical URL.
 */
export function resolveCanonical(
  pageUrl: string | URL,
  canonicalHref: string | readonly string[] | null | undefined,
  options: ResolveCanonicalOptions = {},
): CanonicalResult {
  const own = canonicalUrl(pageUrl, options.params);
  if ('skip' in own) return own;
  const declared = declaredCanonical(own.url, canonicalHref, options);
  return declared === undefined ? own : { url: declared };
}

/** The one canonical URL the page declares, when it is one the crawl may use. */
function declaredCanonical(
  pageKey: string,
  canonicalHref: string | readonly string[] | null | undefined,
  options: ResolveCanonicalOptions,
): string | undefined {
  const hrefs = typeof canonicalHref === 'string' ? [canonicalHref] : (canonicalHref ?? []);
  const keys = new Set<string>();
  for (const href of hrefs) {
    if (href.trim() === '') continue;
    const canonical = canonicalUrl(href, { ...options.params, base: pageKey });
    if ('skip' in canonical) return undefined;
    keys.add(canonical.url);
  }
  const [key, ...others] = keys;
  if (key === undefined || others.length > 0) return undefined;
  const url = parseUrl(key);
  if (url === undefined || isNonHtml(url)) return undefined;
  const inScope = options.scope?.includes(url) ?? url.origin === parseUrl(pageKey)?.origin;
  return inScope ? key : undefined;
}
