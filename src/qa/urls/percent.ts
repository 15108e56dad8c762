/** RFC 3986's unreserved characters: a `%XX` of one of them means the character itself. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX = /^[0-9A-Fa-f]{2}$/;
/** ASCII a URI never holds raw (RFC 3986 §2), besides controls, space and DEL. */
const NEVER_RAW = new Set('"<>\\^`{|}');

const utf8 = new TextEncoder();

/** `%XX` for each UTF-8 byte of `text` (a lone surrogate becomes U+FFFD's bytes, never an exception). */
function encodeBytes(text: string): string {
  let out = '';
  for (const byte of utf8.encode(text)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/**
 * `text` (a URL's path or query, as the URL parser serialised it) with every `%XX` in upper case and
 * those of unreserved characters decoded (`%7e` → `~`, `%41` → `A`), as RFC 3986 §6.2.2 says are
 * equivalent. Reserved characters stay encoded (`%2F` is not `/`), and nothing else changes: an
 * invalid escape (`%zz`) is left as written, as the server receives it.
 */
export function normalisePercentEncoding(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_whole, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`;
  });
}

/**
 * The form robots.txt paths and URLs are compared in (RFC 9309 §2.2.2): UTF-8 percent-encoded
 * outside ASCII, `%XX` in upper case, unreserved characters decoded, and `*` and `$` decoded too
 * (`%2A` in a rule matches a literal `*` in a URL, RFC 9309 §2.2.3); characters a URI never holds
 * raw, and a `%` that starts no escape, are encoded. Reserved characters keep their encoding, so
 * `%2F` never matches `/`.
 */
export function matchForm(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const character = text[index]!;
    if (character === '%') {
      const hex = text.slice(index + 1, index + 3);
      if (HEX.test(hex)) {
        const decoded = String.fromCharCode(Number.parseInt(hex, 16));
        out +=
          UNRESERVED.test(decoded) || decoded === '*' || decoded === '$' ? decoded : `%${hex.toUpperCase()}`;
        index += 3;
      } else {
        out += '%25';
        index += 1;
      }
      continue;
    }
    const codePoint = text.codePointAt(index)!;
    const width = codePoint > 0xffff ? 2 : 1;
    const whole = text.slice(index, index + width);
    out += codePoint > 0x7e || codePoint <= 0x20 || NEVER_RAW.has(whole) ? encodeBytes(whole) : whole;
    index += width;
  }
  return out;
}

/** `text` percent-decoded as UTF-8 (and `+` as a space when `plusIsSpace`), or as written when it does not decode. */
export function decodeLenient(text: string, plusIsSpace = false): string {
  const spaced = plusIsSpace ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
