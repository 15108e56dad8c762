import { parseUrl } from './canonical.js';
import { matchForm } from './percent.js';
import { allowedBy, compileRule, type RobotsRule } from './robots-rule.js';

/**
 * How much of a robots.txt is read: 500 KiB, the least RFC 9309 §2.5 allows and what Google reads.
 * The rest, and the line the limit cuts, are ignored.
 */
export const ROBOTS_MAX_BYTES = 500 * 1024;

/** What a site's robots.txt asks of crawlers. */
export interface Robots {
  /**
   * Whether the crawler whose product token is `userAgent` may fetch `url` (absolute). `/robots.txt`
   * is always allowed; a URL that does not parse is not. Never throws.
   */
  isAllowed(url: string | URL, userAgent: string): boolean;
  /**
   * The first valid `Crawl-delay` (seconds, `0`, `2`, `0.5`) of the groups that apply to `userAgent`,
   * or `undefined` without one. As the site wrote it: the crawl caps it (a hostile `86400` is a day).
   */
  crawlDelayS(userAgent: string): number | undefined;
  /** Every `Sitemap:` URL (`http:`/`https:`, absolute), in file order, without repeats. */
  readonly sitemaps: readonly string[];
}

/** Options of `parseRobots`. */
export interface ParseRobotsOptions {
  /** Where the file was read from: relative `Sitemap:` URLs resolve against it (else they are dropped). */
  readonly url?: string | URL;
}

interface Group {
  /** Product tokens in lower case; `*` for the group of every other crawler. */
  readonly agents: string[];
  readonly rules: RobotsRule[];
  crawlDelayS?: number;
}

type Key = 'user-agent' | 'allow' | 'disallow' | 'crawl-delay' | 'sitemap';

/** Line names as crawlers accept them, common misspellings included (as Google does). */
const KEYS: ReadonlyMap<string, Key> = new Map<string, Key>([
  ['user-agent', 'user-agent'],
  ['useragent', 'user-agent'],
  ['user agent', 'user-agent'],
  ['allow', 'allow'],
  ['disallow', 'disallow'],
  ['dissallow', 'disallow'],
  ['dissalow', 'disallow'],
  ['disalow', 'disallow'],
  ['diasllow', 'disallow'],
  ['disallaw', 'disallow'],
  ['crawl-delay', 'crawl-delay'],
  ['crawldelay', 'crawl-delay'],
  ['sitemap', 'sitemap'],
  ['site-map', 'sitemap'],
]);

/**
 * A robots.txt file read as RFC 9309 says, tolerant as crawlers are: a BOM, CRLF or CR line ends,
 * comments, lines without a colon (`Disallow /`), misspelt names and garbage lines are all fine;
 * only the first `ROBOTS_MAX_BYTES` are read.
 *
 * - A group is one or more `User-agent` lines and the rules after them; rules before any group are
 *   ignored; `Sitemap`, `Crawl-delay` and unknown lines never end a group's user-agent lines.
 * - A crawler obeys every group naming its product token (compared case-insensitively, the value
 *   read up to its first character that is not a letter, `-` or `_`, so `Googlebot/2.1` is
 *   `googlebot`), merged; else the `*` groups; else nothing applies.
 * - The most specific matching rule (the longest pattern, `*` and `$` counted) wins; `Allow` wins a
 *   tie; an empty `Disallow` matches nothing. Paths and patterns compare in one percent-encoded
 *   form (`matchForm`), case-sensitively, query included.
 *
 * Never throws.
 */
export function parseRobots(text: string, options: ParseRobotsOptions = {}): Robots {
  const groups: Group[] = [];
  const sitemaps = new Set<string>();
  let current: Group | undefined;
  let readingAgents = false;
  for (const line of lines(text)) {
    const field = parseLine(line);
    if (field === undefined) continue;
    const { key, value } = field;
    if (key === 'user-agent') {
      if (current === undefined || !readingAgents) {
        current = { agents: [], rules: [] };
        groups.push(current);
        readingAgents = true;
      }
      current.agents.push(value.startsWith('*') ? '*' : productToken(value));
    } else if (key === 'allow' || key === 'disallow') {
      if (current === undefined) continue;
      readingAgents = false;
      const rule = compileRule(key === 'allow', value);
      if (rule !== undefined) current.rules.push(rule);
    } else if (key === 'crawl-delay') {
      const seconds = /^\d+(?:\.\d+)?$|^\.\d+$/.test(value) ? Number(value) : Number.NaN;
      if (current !== undefined && current.crawlDelayS === undefined && Number.isFinite(seconds)) {
        current.crawlDelayS = seconds;
      }
    } else if (key === 'sitemap' && !/\s/.test(value)) {
      // A URL holds no blanks: `Sitemap: see below` is prose, not a relative URL.
      const url = parseUrl(value, options.url);
      if (url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:')) {
        sitemaps.add(url.href);
      }
    }
  }
  return new ParsedRobots(groups, [...sitemaps]);
}

class ParsedRobots implements Robots {
  readonly #groups: readonly Group[];
  readonly #rules = new Map<string, readonly RobotsRule[]>();
  readonly sitemaps: readonly string[];

  constructor(groups: readonly Group[], sitemaps: readonly string[]) {
    this.#groups = groups;
    this.sitemaps = sitemaps;
  }

  isAllowed(input: string | URL, userAgent: string): boolean {
    const url = parseUrl(input);
    if (url === undefined) return false;
    if (url.pathname === '/robots.txt') return true;
    return allowedBy(this.#rulesFor(userAgent), matchForm(`${url.pathname}${url.search}`));
  }

  crawlDelayS(userAgent: string): number | undefined {
    return this.#groupsFor(productToken(userAgent)).find((group) => group.crawlDelayS !== undefined)
      ?.crawlDelayS;
  }

  /** The merged rules of the groups for `userAgent`, kept per token (a crawl asks for one or two). */
  #rulesFor(userAgent: string): readonly RobotsRule[] {
    const token = productToken(userAgent);
    let rules = this.#rules.get(token);
    if (rules === undefined) {
      rules = this.#groupsFor(token).flatMap((group) => group.rules);
      this.#rules.set(token, rules);
    }
    return rules;
  }

  #groupsFor(token: string): readonly Group[] {
    const own = token === '' ? [] : this.#groups.filter((group) => group.agents.includes(token));
    return own.length > 0 ? own : this.#groups.filter((group) => group.agents.includes('*'));
  }
}

/** A user-agent value's product token in lower case: its leading letters, `-` and `_`. */
function productToken(value: string): string {
  return (/^[A-Za-z_-]+/.exec(value.trim())?.[0] ?? '').toLowerCase();
}

/** A line's name (known ones only, normalised) and value, comments and surrounding blanks removed. */
function parseLine(line: string): { key: Key; value: string } | undefined {
  const hash = line.indexOf('#');
  const content = (hash < 0 ? line : line.slice(0, hash)).trim();
  if (content === '') return undefined;
  const colon = content.indexOf(':');
  // Without a colon, the name ends at the first blank (`Disallow /`), as Google reads it.
  const match = colon < 0 ? /^(\S+)\s+(.*)$/.exec(content) : undefined;
  const name = colon >= 0 ? content.slice(0, colon) : match?.[1];
  const value = colon >= 0 ? content.slice(colon + 1) : match?.[2];
  if (name === undefined || value === undefined) return undefined;
  const key = KEYS.get(name.trim().toLowerCase().replace(/\s+/g, ' '));
  return key === undefined ? undefined : { key, value: value.trim() };
}

/** The lines of the first `ROBOTS_MAX_BYTES` of `text`, without a BOM; a line the limit cuts is dropped. */
function lines(text: string): string[] {
  let body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // A UTF-16 unit is at least one UTF-8 byte: past this many units the limit is surely crossed.
  if (body.length > ROBOTS_MAX_BYTES) body = body.slice(0, ROBOTS_MAX_BYTES + 1);
  const bytes = new TextEncoder().encode(body);
  if (bytes.length <= ROBOTS_MAX_BYTES) return body.split(/\r\n|\r|\n/);
  const kept = new TextDecoder().decode(bytes.subarray(0, ROBOTS_MAX_BYTES)).split(/\r\n|\r|\n/);
  const next = bytes[ROBOTS_MAX_BYTES];
  // The last line is whole when the limit falls on its end.
  if (next !== 0x0a && next !== 0x0d) kept.pop();
  return kept;
}
