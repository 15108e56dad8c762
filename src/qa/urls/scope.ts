import { InvalidArgumentError } from '../../core/index.js';
import { parseUrl } from './canonical.js';

/** A host an `--allow-origin` host pattern admits, on `http:` and `https:` and any port. */
interface HostRule {
  /** The host in URL form: lower case, punycode, IPv6 in brackets. */
  readonly host: string;
  /** `*.example.com`: any subdomain of `host`, never `host` itself. */
  readonly subdomains: boolean;
  /** Only this scheme, when the pattern named one (`https://*.example.com`). */
  readonly protocol?: string;
  /** Only this port (the scheme's default when the pattern has a scheme and no port). */
  readonly port?: string;
}

/** Which URLs a crawl may visit. */
export interface Scope {
  /** The origins of the start URLs and the allowed origins, sorted: where robots.txt is read. */
  readonly origins: readonly string[];
  /** Whether `url` is an `http:`/`https:` URL the crawl may visit; never throws. */
  includes(url: string | URL): boolean;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * The scope of a crawl: the origins of its start URLs (scheme, host and port: `http://example.com`
 * and `https://example.com` are two origins), plus each `allowOrigins` entry, which is one of
 *
 * - an origin, `https://docs.example.com` or `http://localhost:4000` (a path after it is ignored);
 * - a host, `example.com`: that host on `http:` and `https:`, any port;
 * - a host pattern, `*.example.com`: every subdomain (`a.example.com`, `a.b.example.com`), not
 *   `example.com` itself, on `http:` and `https:`, any port; `https://*.example.com` and
 *   `https://*.example.com:8443` narrow it to a scheme (and its default port) or a port.
 *
 * Hosts compare in URL form, so `*.MÜNCHEN.de` admits `http://www.xn--mnchen-3ya.de/`. Throws
 * `InvalidArgumentError` when there is no start URL, a start URL is not an `http:`/`https:` URL, or
 * an entry is none of the above (`*` alone, a `ftp:` origin, a path without a host).
 */
export function createScope(
  startUrls: readonly (string | URL)[],
  allowOrigins: readonly string[] = [],
): Scope {
  if (startUrls.length === 0) throw new InvalidArgumentError('A crawl needs at least one start URL');
  const origins = new Set<string>();
  for (const start of startUrls) {
    const url = parseUrl(start);
    if (url === undefined || DEFAULT_PORTS[url.protocol] === undefined) {
      throw new InvalidArgumentError(`Expected a start URL to be an http: or https: URL, got ${show(start)}`);
    }
    origins.add(url.origin);
  }
  const hosts: HostRule[] = [];
  for (const entry of allowOrigins) {
    const rule = parseAllowed(entry);
    if (typeof rule === 'string') origins.add(rule);
    else hosts.push(rule);
  }
  const sorted = [...origins].sort();
  return {
    origins: sorted,
    includes(input: string | URL): boolean {
      const url = parseUrl(input);
      if (url === undefined || DEFAULT_PORTS[url.protocol] === undefined) return false;
      return origins.has(url.origin) || hosts.some((rule) => admits(rule, url));
    },
  };
}

function admits(rule: HostRule, url: URL): boolean {
  if (rule.protocol !== undefined && rule.protocol !== url.protocol) return false;
  if (rule.port !== undefined && rule.port !== (url.port || DEFAULT_PORTS[url.protocol])) return false;
  return rule.subdomains ? url.hostname.endsWith(`.${rule.host}`) : url.hostname === rule.host;
}

/** An `--allow-origin` entry: an origin string, or a host rule. */
function parseAllowed(entry: string): string | HostRule {
  const text = entry.trim();
  const refuse = (why: string) =>
    new InvalidArgumentError(
      `Expected an allowed origin to be an origin (https://example.com), a host (example.com) or a host pattern (*.example.com), got ${show(entry)}: ${why}`,
    );
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  const protocol = scheme === null ? undefined : `${scheme[1]!.toLowerCase()}:`;
  if (protocol !== undefined && DEFAULT_PORTS[protocol] === undefined) throw refuse('not http: or https:');
  const rest = scheme === null ? text : text.slice(scheme[0].length);
  const subdomains = rest.startsWith('*.');
  const hostPart = subdomains ? rest.slice(2) : rest;
  if (hostPart.includes('*')) throw refuse('a * may only start a host pattern, as *.example.com');
  if (hostPart === '') throw refuse('no host');
  const url = parseUrl(`${protocol ?? 'http:'}//${hostPart}`);
  if (url === undefined || url.hostname === '') throw refuse('not a host');
  if (url.username !== '' || url.password !== '') throw refuse('an origin has no user name or password');
  if (protocol !== undefined && !subdomains) return url.origin;
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') throw refuse('a host has no path');
  // Read from the entry, not the URL, which drops `:80` as http's default even for a host of any scheme.
  const written = /:(\d+)$/.exec(hostPart)?.[1];
  const port = written !== undefined ? String(Number(written)) : protocol && DEFAULT_PORTS[protocol];
  return {
    host: url.hostname,
    subdomains,
    ...(protocol === undefined ? {} : { protocol }),
    ...(port === undefined ? {} : { port }),
  };
}

function show(value: string | URL): string {
  const text = String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
