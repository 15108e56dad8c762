import { InvalidArgumentError } from '../../core/index.js';
import type { BrowserCookie } from '../browser/index.js';

/** An HTTP token (RFC 9110): what a header or cookie name is made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters but the tab: CR and LF would split a request, NUL cut it. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/** Headers that frame the request or the connection, which the browser alone sets. */
const FRAMING_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'content-length',
  'expect',
  'host',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A header `--header` adds to every request. */
export interface ExtraHeader {
  readonly name: string;
  readonly value: string;
}

/**
 * Reads `--header 'Name: value'` (spaces around the value dropped; an empty value is one).
 * @throws InvalidArgumentError naming `--header` (and the name, once it is one) for a name that is not
 *   an HTTP token, one that frames the request (`Host`, `Content-Length`, …) or `Cookie` (`--cookie`
 *   adds cookies), or a value with CR, LF or another control character. Never quoting the value: a
 *   header often holds a token.
 */
export function parseHeader(text: string): ExtraHeader {
  const colon = text.indexOf(':');
  const name = colon < 0 ? '' : text.slice(0, colon).trim();
  if (colon < 0) throw new InvalidArgumentError(`--header: expected 'Name: value', found no ":"`);
  if (!TOKEN.test(name)) {
    throw new InvalidArgumentError(
      "--header: the name before the first ':' is not a header name (letters, digits and !#$%&'*+-.^_`|~)",
    );
  }
  const lower = name.toLowerCase();
  if (FRAMING_HEADERS.has(lower)) {
    throw new InvalidArgumentError(`--header ${name}: the browser sets this header itself`);
  }
  if (lower === 'cookie') throw new InvalidArgumentError('--header Cookie: give cookies with --cookie');
  const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  if (CONTROL.test(value)) {
    throw new InvalidArgumentError(`--header ${name}: the value holds a line break or a control character`);
  }
  return { name, value };
}

/**
 * Every `--header` as the headers of `BrowserPool.launch`.
 * @throws InvalidArgumentError as `parseHeader` does, or when a name is given twice (in any case).
 */
export function parseHeaders(texts: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const text of texts) {
    const { name, value } = parseHeader(text);
    if (seen.has(name.toLowerCase())) throw new InvalidArgumentError(`--header ${name}: given twice`);
    seen.add(name.toLowerCase());
    headers[name] = value;
  }
  return headers;
}

/**
 * Reads `--cookie name=value`, optionally followed by `; Domain=host`, `; Path=/p`, `; Secure` and
 * `; HttpOnly`. Without `Domain`, the cookie is given to each start URL's host (host-only, as a site sets
 * one without `Domain`), `Secure` on https; with it, to that domain and its subdomains.
 * @throws InvalidArgumentError naming `--cookie` (and the name, once it is one) for a malformed cookie
 *   or attribute; never quoting the value.
 */
export function parseCookie(text: string, startUrls: readonly string[]): BrowserCookie[] {
  const [pair = '', ...attributes] = text.split(';');
  const equals = pair.indexOf('=');
  if (equals < 0) throw new InvalidArgumentError('--cookie: expected name=value, found no "="');
  const name = pair.slice(0, equals).trim();
  if (!TOKEN.test(name)) {
    throw new InvalidArgumentError('--cookie: the name before the "=" is not a cookie name');
  }
  const value = pair.slice(equals + 1).trim();
  if (CONTROL.test(value)) {
    throw new InvalidArgumentError(`--cookie ${name}: the value holds a line break or a control character`);
  }
  let domain: string | undefined;
  let path = '/';
  let secure = false;
  let httpOnly = false;
  for (const attribute of attributes) {
    const [key = '', ...rest] = attribute.split('=');
    const setting = rest.join('=').trim();
    if (key.trim() === '' && setting === '') continue; // a trailing ';'
    switch (key.trim().toLowerCase()) {
      case 'domain':
        domain = setting.replace(/^\./, '').toLowerCase();
        if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(domain)) {
          throw new InvalidArgumentError(`--cookie ${name}: Domain=${setting} is not a host name`);
        }
        break;
      case 'path':
        if (!setting.startsWith('/') || CONTROL.test(setting)) {
          throw new InvalidArgumentError(`--cookie ${name}: Path must start with "/"`);
        }
        path = setting;
        break;
      case 'secure':
        secure = true;
        break;
      case 'httponly':
        httpOnly = true;
        break;
      default:
        throw new InvalidArgumentError(
          `--cookie ${name}: unknown attribute ${JSON.stringify(key.trim())} (Domain, Path, Secure or HttpOnly)`,
        );
    }
  }
  if (domain !== undefined) {
    // A domain cookie reaches the subdomains too; an IP address has none.
    const scoped = /^[0-9.]+$/.test(domain) ? domain : `.${domain}`;
    return [{ name, value, domain: scoped, path, secure, httpOnly }];
  }
  const origins = new Map<string, URL>();
  for (const start of startUrls) {
    try {
      const url = new URL(start);
      if (url.protocol === 'http:' || url.protocol === 'https:') origins.set(url.origin, url);
    } catch {
      // Not a URL: the crawl says so.
    }
  }
  if (origins.size === 0)
    throw new InvalidArgumentError(`--cookie ${name}: no http(s) start URL to give it to`);
  return [...origins.values()].map((url) => ({
    name,
    value,
    domain: url.hostname,
    path,
    secure: secure || url.protocol === 'https:',
    httpOnly,
  }));
}
