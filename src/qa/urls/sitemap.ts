import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { parseUrl } from './canonical.js';
import { SitemapError } from './sitemap-error.js';

/** The most URLs (or sitemaps) one sitemap file may list (sitemaps.org); later ones are ignored. */
export const SITEMAP_MAX_URLS = 50_000;
/** The largest sitemap read (characters; the protocol's 50 MiB uncompressed). Larger ones are refused. */
export const SITEMAP_MAX_CHARS = 50 * 1024 * 1024;

/** What a sitemap lists: pages (`<urlset>`), or more sitemaps (`<sitemapindex>`). */
export type Sitemap =
  | { readonly urls: readonly string[]; readonly truncated: boolean }
  | { readonly sitemaps: readonly string[]; readonly truncated: boolean };

/** Options of `parseSitemap`. */
export interface ParseSitemapOptions {
  /** Where the sitemap was read from: named in errors, and relative `<loc>`s resolve against it. */
  readonly url?: string;
}

type XmlNode = Readonly<Record<string, unknown>>;

/** The five entities every XML document has; no others are ever expanded. */
const XML_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]*));/g;

/**
 * Decodes the XML builtins and character references, and nothing else (as `src/suites/reports/junit.ts`
 * does): entities a DOCTYPE declares are dropped unread, so a billion-laughs document expands nothing,
 * an external entity (`SYSTEM "file:///etc/passwd"`) is never read, and a reference to either stays
 * as its literal text.
 */
const BUILTIN_ENTITIES_ONLY: EntityDecoderOptions = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: (text) =>
    text.replace(ENTITY, (whole, hex?: string, decimal?: string, name?: string) => {
      if (name !== undefined) return Object.hasOwn(XML_ENTITIES, name) ? XML_ENTITIES[name]! : whole;
      const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
    }),
};

/** An HTML document's start: its doctype or `<html>`, after blanks and comments. */
const HTML_START = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html[\s>])/i;

/** The elements that may repeat, always read as arrays so one and many look the same. */
const REPEATED = new Set(['url', 'sitemap', 'loc']);

function newParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: true,
    // `<sm:urlset xmlns:sm="…">` is `<urlset>`; extensions (`<image:loc>`) nest inside their own element.
    removeNSPrefix: true,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name) => REPEATED.has(name),
    // Builtins only (above); the limits bound what a DOCTYPE may declare before it is dropped.
    processEntities: { enabled: true, maxEntitySize: 1_000, maxEntityCount: 100 },
    entityDecoder: BUILTIN_ENTITIES_ONLY,
  });
}

/**
 * The URLs a sitemap lists (sitemaps.org protocol 0.9): the `<loc>` of each `<url>` of a `<urlset>`,
 * or of each `<sitemap>` of a `<sitemapindex>`, trimmed, as absolute `http:`/`https:` URLs (a
 * relative one resolves against `options.url`, else is dropped, as is one that does not parse).
 * Namespaces and prefixes, whitespace, comments, CDATA and character references are fine; entities
 * a DOCTYPE declares are never expanded. At most `SITEMAP_MAX_URLS` are returned (`truncated` says
 * more were listed). A gzipped sitemap is the caller's to decompress.
 *
 * Throws `SitemapError` (`E_SITEMAP`) when `xml` is not a sitemap: empty, over `SITEMAP_MAX_CHARS`,
 * not XML (with its line and column), or XML with another root element (`<rss>`, `<html>`), named
 * in the message. Nothing else throws.
 */
export function parseSitemap(xml: string, options: ParseSitemapOptions = {}): Sitemap {
  const where = { url: options.url };
  if (xml.length > SITEMAP_MAX_CHARS) {
    throw SitemapError.because(`larger than ${SITEMAP_MAX_CHARS / 1024 / 1024} MiB`, where);
  }
  const text = xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  if (text.trim() === '') throw SitemapError.because('the document is empty', where);
  // A soft 404 or a login page where the sitemap should be: say so, not what the XML validator trips on.
  if (HTML_START.test(text.slice(0, 4096))) throw SitemapError.because('an HTML page, not XML', where);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw SitemapError.because(`not XML: ${msg}`, { ...where, line, column: col });
  }
  let document: unknown;
  try {
    document = newParser().parse(text);
  } catch (error) {
    throw SitemapError.because(
      `unreadable XML: ${error instanceof Error ? error.message : String(error)}`,
      where,
    );
  }
  const root = asNode(document);
  if (Object.hasOwn(root, 'urlset')) {
    const { locations, truncated } = locationsOf(asNode(root['urlset']), 'url', options.url);
    return { urls: locations, truncated };
  }
  if (Object.hasOwn(root, 'sitemapindex')) {
    const { locations, truncated } = locationsOf(asNode(root['sitemapindex']), 'sitemap', options.url);
    return { sitemaps: locations, truncated };
  }
  const found = Object.keys(root)[0];
  const got = found === undefined ? 'no root element' : `<${found}>`;
  throw SitemapError.because(`expected a <urlset> or <sitemapindex> root element, got ${got}`, where);
}

/** The absolute URLs of the `<loc>` of each `entry` child of `parent`, at most `SITEMAP_MAX_URLS`. */
function locationsOf(
  parent: XmlNode,
  entry: 'url' | 'sitemap',
  base: string | undefined,
): { locations: string[]; truncated: boolean } {
  const locations: string[] = [];
  let truncated = false;
  for (const item of children(parent, entry)) {
    const [loc] = children(item, 'loc');
    const value = loc?.['#text'];
    if (typeof value !== 'string') continue;
    const url = parseUrl(value.trim(), base);
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) continue;
    if (locations.length === SITEMAP_MAX_URLS) {
      truncated = true;
      break;
    }
    locations.push(url.href);
  }
  return { locations, truncated };
}

/** The element children called `name` of `node`, each as a node (an element with only text is `#text`). */
function children(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  if (!Array.isArray(value)) return [];
  return (value as unknown[]).map(asNode);
}

/** An element as the parser gives it: an object, or a bare string for one with only text (or none). */
function asNode(value: unknown): XmlNode {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as XmlNode;
  return typeof value === 'string' ? { '#text': value } : {};
}
