import { createHash } from 'node:crypto';

/*
 * A finding's fingerprint is what makes "the same defect" the same across pages and runs: the check, the
 * rule, the element's selector (or the finding's subject) and the page's URL template, each normalised, so
 * the same missing label on 200 product pages is one finding with 200 affected URLs, and a baseline can
 * tell a new finding from a known one (docs/qa.md, "Findings").
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID = /^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}$/i;
/** A long token of letters and digits (a slug id, a hash): 16 characters or more, with both in it. */
const TOKEN = /^(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{16,}$/i;

/**
 * The URL with what varies between pages of one kind folded: path segments that are numbers become
 * `{n}`, ids (UUIDs, hex ids, long tokens) `{id}`, a number ending a slug (`item-42`) `{n}` too, query
 * values `{v}` (the names kept, sorted); the fragment goes. `https://shop.test/product/123?c=4` →
 * `https://shop.test/product/{n}?c={v}`. A string that is no URL comes back as it is.
 */
export function urlTemplate(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const path = parsed.pathname
    .split('/')
    .map((segment) => {
      if (/^\d+$/.test(segment)) return '{n}';
      if (UUID.test(segment) || HEX_ID.test(segment) || TOKEN.test(segment)) return '{id}';
      return segment.replace(/([-_])\d+$/, '$1{n}');
    })
    .join('/');
  const names = [...new Set([...parsed.searchParams.keys()])].sort();
  const query = names.length === 0 ? '' : `?${names.map((name) => `${name}={v}`).join('&')}`;
  return `${parsed.protocol}//${parsed.host}${path}${query}`;
}

/**
 * A selector with what varies between pages folded: whitespace collapsed, numbers in ids, classes and
 * attribute values (`#product-123`, `[data-id="9"]`) become `{n}`. Structural positions
 * (`:nth-child(3)`) are kept: they tell two elements of one page apart.
 */
export function normaliseSelector(selector: string): string {
  return selector
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/([#.][\w-]*?)\d+/g, '$1{n}')
    .replace(/(="[^"]*?)\d+/g, '$1{n}');
}

/** Text with its numbers folded (`{n}`) and whitespace collapsed: a console message, a resource's URL. */
export function normaliseSubject(subject: string): string {
  return subject.trim().replace(/\s+/g, ' ').replace(/\d+/g, '{n}').slice(0, 500);
}

/** What a fingerprint is made of. */
export interface FingerprintParts {
  readonly check: string;
  readonly rule: string;
  readonly url: string;
  readonly selector?: string | null;
  readonly subject?: string;
}

/** 32 hex digits of SHA-256 over the check, the rule, the normalised selector or subject and the URL template. */
export function fingerprintOf(parts: FingerprintParts): string {
  const what =
    parts.selector !== undefined && parts.selector !== null && parts.selector !== ''
      ? normaliseSelector(parts.selector)
      : parts.subject === undefined
        ? ''
        : `subject:${normaliseSubject(parts.subject)}`;
  return createHash('sha256')
    .update([parts.check, parts.rule, what, urlTemplate(parts.url)].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}
