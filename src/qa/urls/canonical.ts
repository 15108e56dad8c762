import { decodeLenient, normalisePercentEncoding } from './percent.js';

/**
 * Query parameters that only say where a visitor came from, dropped from every canonical URL so a
 * page linked from a campaign and the same page linked plainly are one page. Names are compared
 * case-insensitively after percent-decoding. `keepParams` wins over this list.
 *
 * Google Ads and Analytics (`gclid`, `gclsrc`, `dclid`, `gbraid`, `wbraid`, `_ga`, `_gl`, `srsltid`),
 * Microsoft (`msclkid`), Meta (`fbclid`, `igshid`), Yandex (`yclid`), X (`twclid`, `ref_src`,
 * `ref_url`), TikTok (`ttclid`), LinkedIn (`li_fat_id`), Mailchimp (`mc_cid`, `mc_eid`), HubSpot
 * (`_hsenc`, `_hsmi`, `__hssc`, `__hstc`, `__hsfp`, `hsctatracking`), Marketo (`mkt_tok`), Adobe
 * (`s_kwcid`), Klaviyo (`_kx`), Omeda (`oly_anon_id`, `oly_enc_id`), Vero (`vero_id`, `vero_conv`);
 * and every name starting with `utm_` (`TRACKING_PARAM_PREFIXES`). Generic names some sites track
 * with and others route on (`ref`, `source`, `si`) are not in it: add them with `ignoreParams`.
 */
export const TRACKING_PARAMS: readonly string[] = [
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  '_ga',
  '_gl',
  'srsltid',
  'msclkid',
  'fbclid',
  'igshid',
  'yclid',
  'twclid',
  'ref_src',
  'ref_url',
  'ttclid',
  'li_fat_id',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  '__hssc',
  '__hstc',
  '__hsfp',
  'hsctatracking',
  'mkt_tok',
  's_kwcid',
  '_kx',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'vero_conv',
];

/** Name prefixes of tracking parameters (`utm_source`, `utm_medium`, `utm_campaign`, …). */
export const TRACKING_PARAM_PREFIXES: readonly string[] = ['utm_'];

/**
 * The longest canonical URL kept (characters). Longer ones are skipped as `too-long`: most servers
 * refuse a request line over 8 KiB (nginx, Apache's `LimitRequestLine 8190`), and a URL that keeps
 * growing is the usual shape of a crawler trap. An input string over 8 times this is not parsed.
 */
export const MAX_URL_LENGTH = 8_192;

const TRACKING = new Set(TRACKING_PARAMS);

/** Which query parameters a canonical URL keeps, beyond the ones it always keeps. */
export interface CanonicalParamOptions {
  /** Names never dropped, even when tracking lists them (case-insensitive). */
  readonly keepParams?: readonly string[];
  /** More parameters to drop: a name (case-insensitive) or a pattern tested on the decoded name. */
  readonly ignoreParams?: readonly (string | RegExp)[];
}

/** Options of `canonicalUrl`. */
export interface CanonicalOptions extends CanonicalParamOptions {
  /** The URL a relative input is resolved against (a page's URL, or its `<base href>`). */
  readonly base?: string | URL;
}

/** Why a string has no canonical URL. */
export type CanonicalSkipReason = 'invalid-url' | 'non-http-scheme' | 'too-long';

/** A canonical URL, or why there is none. */
export type CanonicalResult = { readonly url: string } | { readonly skip: CanonicalSkipReason };

/**
 * The one string a page is known by (the frontier's key): the input parsed as a WHATWG URL (relative
 * to `base`), with
 *
 * - scheme and host in lower case, an IDN host in punycode, an IP address in its canonical form, the
 *   default port dropped, `.` and `..` segments resolved (`%2e%2e` too), an empty path as `/`;
 * - user name and password dropped: a key is printed in reports and must never hold a secret (give
 *   credentials to the browser instead);
 * - the fragment dropped;
 * - tracking parameters dropped (`TRACKING_PARAMS`, `TRACKING_PARAM_PREFIXES`, plus `ignoreParams`;
 *   `keepParams` wins over both), empty `&&` pieces dropped, the rest sorted by name, keeping the
 *   order of parameters of the same name (`?b=1&a=2&a=1` → `?a=2&a=1&b=1`); values are never
 *   decoded or re-encoded beyond the rule below (`+` and `%20` stay as written), so a meaningful
 *   query is never lost;
 * - percent-encoding in upper case and unreserved characters decoded (`%7e` → `~`); reserved ones
 *   stay encoded (`%2F` is not `/`).
 *
 * Only `http:` and `https:` URLs have one. Never throws: an input that does not parse is
 * `invalid-url`, one of another scheme is `non-http-scheme`, one longer than `MAX_URL_LENGTH` is
 * `too-long`. Canonicalising a canonical URL gives it back unchanged.
 */
export function canonicalUrl(input: string | URL, options: CanonicalOptions = {}): CanonicalResult {
  if (typeof input === 'string' && input.length > 8 * MAX_URL_LENGTH) return { skip: 'too-long' };
  const parsed = parseUrl(input, options.base);
  if (parsed === undefined) return { skip: 'invalid-url' };
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { skip: 'non-http-scheme' };
  const path = normalisePercentEncoding(parsed.pathname) || '/';
  const query = canonicalQuery(parsed.search, options);
  const url = `${parsed.protocol}//${parsed.host}${path}${query}`;
  return url.length > MAX_URL_LENGTH ? { skip: 'too-long' } : { url };
}

/**
 * `input` as a URL relative to `base`, or `undefined` when it does not parse. A `base` that does not
 * parse is no base (the URL parser would refuse even an absolute `input` with it).
 */
export function parseUrl(input: string | URL, base?: string | URL): URL | undefined {
  try {
    return new URL(input, base);
  } catch {
    if (base === undefined) return undefined;
    try {
      return new URL(input);
    } catch {
      return undefined;
    }
  }
}

/** `search` (with its `?`) without tracking parameters, sorted by name; `''` when nothing is left. */
function canonicalQuery(search: string, options: CanonicalParamOptions): string {
  if (search.length <= 1) return '';
  const drop = dropper(options);
  const params: { readonly name: string; readonly piece: string }[] = [];
  for (const raw of search.slice(1).split('&')) {
    if (raw === '') continue;
    const piece = normalisePercentEncoding(raw);
    const equals = piece.indexOf('=');
    const name = equals < 0 ? piece : piece.slice(0, equals);
    if (drop(decodeLenient(name, true))) continue;
    params.push({ name, piece });
  }
  if (params.length === 0) return '';
  // Array#sort is stable: parameters of one name keep their order.
  params.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `?${params.map((param) => param.piece).join('&')}`;
}

/** Whether a parameter of this (decoded) name is dropped under `options`. */
function dropper(options: CanonicalParamOptions): (name: string) => boolean {
  const keep = new Set((options.keepParams ?? []).map((name) => name.toLowerCase()));
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  for (const entry of options.ignoreParams ?? []) {
    if (typeof entry === 'string') names.add(entry.toLowerCase());
    // A copy without `g` or `y`: `test` on the caller's own pattern would move its `lastIndex`.
    else patterns.push(new RegExp(entry.source, entry.flags.replace(/[gy]/g, '')));
  }
  return (name) => {
    const lower = name.toLowerCase();
    if (keep.has(lower)) return false;
    if (TRACKING.has(lower) || names.has(lower)) return true;
    if (TRACKING_PARAM_PREFIXES.some((prefix) => lower.startsWith(prefix))) return true;
    return patterns.some((pattern) => pattern.test(name));
  };
}
