import { canonicalUrl, MAX_URL_LENGTH, parseUrl, type CanonicalParamOptions } from './canonical.js';
import { isDestructive, type LinkHints } from './destructive.js';
import { decodeLenient } from './percent.js';
import type { Scope } from './scope.js';

/**
 * Extensions of a URL's last path segment that name a file, not a page to test: a browser downloads
 * or renders it without a DOM worth checking. Compared in lower case after percent-decoding;
 * a segment without a dot, or with another extension (`.html`, `.php`, `.aspx`, `/users/john.doe`),
 * is followed.
 */
export const NON_HTML_EXTENSIONS: readonly string[] = [
  // images
  ...['png', 'jpg', 'jpeg', 'jpe', 'gif', 'webp', 'avif', 'svg', 'svgz', 'ico', 'bmp', 'tif', 'tiff'],
  ...['heic', 'heif', 'jxl', 'psd', 'raw', 'cr2', 'nef', 'eps', 'ai'],
  // audio and video
  ...['mp3', 'm4a', 'aac', 'wav', 'flac', 'ogg', 'oga', 'opus', 'wma', 'mid', 'midi'],
  ...['mp4', 'm4v', 'mov', 'avi', 'mkv', 'webm', 'ogv', 'wmv', 'flv', 'mpg', 'mpeg', '3gp', 'm3u8', 'ts'],
  // archives
  ...['zip', 'tar', 'gz', 'tgz', 'bz2', 'tbz2', 'xz', 'txz', 'zst', '7z', 'rar', 'lz', 'lzma', 'cab'],
  // fonts
  ...['woff', 'woff2', 'ttf', 'otf', 'eot'],
  // documents and data
  ...['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp', 'rtf', 'epub', 'mobi'],
  ...['csv', 'tsv', 'txt', 'ics', 'vcf', 'json', 'xml', 'rss', 'atom', 'yaml', 'yml'],
  // binaries and installers
  ...['exe', 'msi', 'dmg', 'pkg', 'deb', 'rpm', 'apk', 'aab', 'ipa', 'appimage', 'bin', 'iso', 'img'],
  ...['jar', 'war', 'dll', 'so', 'wasm'],
  // assets of pages
  ...['css', 'js', 'mjs', 'cjs', 'map'],
];

const NON_HTML = new Set(NON_HTML_EXTENSIONS);

/** Why a link is not followed. */
export type LinkSkipReason =
  /** `mailto:`, `tel:`, `javascript:`, `data:`, `blob:`, `ftp:`, `file:`, … (any scheme but http and https). */
  | 'non-http-scheme'
  /** Another origin than the crawl's scope admits. */
  | 'out-of-scope'
  /** A file, not a page (`NON_HTML_EXTENSIONS`, or a `download` link). */
  | 'non-html'
  /** Following it would log out or change data (`DESTRUCTIVE_PHRASES`, `DESTRUCTIVE_ACTIONS`, hints). */
  | 'destructive'
  /** It does not parse as a URL. */
  | 'invalid-url'
  /** Its canonical URL is longer than `MAX_URL_LENGTH`. */
  | 'too-long';

/** What to do with a link: follow its canonical URL, or skip it (with that URL when it has one). */
export type LinkDecision =
  | { readonly kind: 'follow'; readonly url: string }
  | { readonly kind: 'skip'; readonly url?: string; readonly reason: LinkSkipReason };

/** Where a link was found, and what the page says of it. */
export interface LinkContext extends LinkHints {
  /** The URL relative links resolve against: the page's final URL, or its `<base href>`. */
  readonly pageUrl: string | URL;
  /** The crawl's scope. */
  readonly scope: Scope;
  /** The link has a `download` attribute: a file, whatever its extension. */
  readonly download?: boolean;
  /** Which query parameters its canonical URL keeps. */
  readonly params?: CanonicalParamOptions;
}

/**
 * Whether a crawler follows `href` (an `<a href>` as written) found on `context.pageUrl`, and the
 * canonical URL it goes by. Checked in this order: `invalid-url`, `non-http-scheme` (the scheme as
 * the URL parser reads it, so ` JaVaScRiPt:`, `java\tscript:` and `java\nscript:` are all
 * `javascript:`), `too-long`, `out-of-scope` (`//evil.example`, `\\evil.example` and userinfo tricks
 * are resolved first, so the host checked is the one a browser would visit), `destructive`,
 * `non-html`. An empty href or `#fragment` resolves to the page itself, which the frontier already
 * has. Never throws.
 */
export function classifyLink(href: string, context: LinkContext): LinkDecision {
  // Not even parsed: no URL this long has a canonical URL under the limit.
  if (href.length > 8 * MAX_URL_LENGTH) return { kind: 'skip', reason: 'too-long' };
  const parsed = parseUrl(href, context.pageUrl);
  if (parsed === undefined) return { kind: 'skip', reason: 'invalid-url' };
  const canonical = canonicalUrl(parsed, context.params);
  if ('skip' in canonical) return { kind: 'skip', reason: canonical.skip };
  const { url } = canonical;
  // Judged on the canonical URL: a tracking parameter (`?utm_content=logout`) says nothing of the link.
  const target = parseUrl(url) ?? parsed;
  if (!context.scope.includes(target)) return { kind: 'skip', url, reason: 'out-of-scope' };
  if (isDestructive(target, context)) return { kind: 'skip', url, reason: 'destructive' };
  if (context.download === true || isNonHtml(target)) return { kind: 'skip', url, reason: 'non-html' };
  return { kind: 'follow', url };
}

/** Whether `url`'s last path segment has an extension of `NON_HTML_EXTENSIONS`. */
export function isNonHtml(url: URL): boolean {
  const last = decodeLenient(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  const dot = last.lastIndexOf('.');
  return dot > 0 && NON_HTML.has(last.slice(dot + 1).toLowerCase());
}
