/**
 * What XML 1.0 forbids: control characters but tab, line feed and carriage return; U+FFFE and U+FFFF;
 * lone surrogates (the `u` flag sees them as code points of their own, outside the allowed ranges).
 */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `text` without the characters XML 1.0 does not allow anywhere (not even escaped). */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(FORBIDDEN, '');
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  "'": '&apos;',
  // A parser turns a raw tab or line break in an attribute into a space; escaped, they survive.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** `text` as XML character data: forbidden characters dropped, `&`, `<` and `>` escaped. */
export function escapeXmlText(text: string): string {
  return stripInvalidXmlChars(text).replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/** `text` as the value of a double- or single-quoted XML attribute; tabs and line breaks kept. */
export function escapeXmlAttribute(text: string): string {
  return stripInvalidXmlChars(text).replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

/** The attributes of an element: ` a="…" b="…"`, escaped; `undefined` values left out. */
function xmlAttributes(attributes: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}

/** A start tag, `<name a="…">`, for an element whose children are written separately. */
export function xmlStartTag(
  name: string,
  attributes: Readonly<Record<string, string | number | undefined>>,
): string {
  return `<${name}${xmlAttributes(attributes)}>`;
}

/** One element: `<name a="…">children</name>`, or `<name a="…"/>` without children (already XML). */
export function xmlElement(
  name: string,
  attributes: Readonly<Record<string, string | number | undefined>>,
  children: string = '',
): string {
  const attrs = xmlAttributes(attributes);
  return children === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}
