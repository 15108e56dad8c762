/**
 * The URL layer of the site QA crawler, pure and total: the canonical URL a page is keyed by in the
 * frontier, which links a crawl follows and why it skips the others, `rel=canonical`, robots.txt
 * (RFC 9309) and sitemaps.
 */
export {
  canonicalUrl,
  MAX_URL_LENGTH,
  TRACKING_PARAM_PREFIXES,
  TRACKING_PARAMS,
  type CanonicalOptions,
  type CanonicalParamOptions,
  type CanonicalResult,
  type CanonicalSkipReason,
} from './canonical.js';
export { DESTRUCTIVE_ACTIONS, DESTRUCTIVE_PHRASES, type LinkHints } from './destructive.js';
export {
  classifyLink,
  NON_HTML_EXTENSIONS,
  type LinkContext,
  type LinkDecision,
  type LinkSkipReason,
} from './link.js';
export { resolveCanonical, type ResolveCanonicalOptions } from './rel-canonical.js';
export { parseRobots, ROBOTS_MAX_BYTES, type ParseRobotsOptions, type Robots } from './robots.js';
export { createScope, type Scope } from './scope.js';
export {
  parseSitemap,
  SITEMAP_MAX_CHARS,
  SITEMAP_MAX_URLS,
  type ParseSitemapOptions,
  type Sitemap,
} from './sitemap.js';
export { SitemapError, type SitemapIssue } from './sitemap-error.js';
