/*
 * How a `broken-link` finding points at its link: a selector a browser (and the screenshots) can find it
 * by, and a short snippet of it, both from the `href` attribute as written.
 */

/** The longest link text a snippet or a message quotes, in characters. */
const MAX_QUOTED_TEXT = 80;

/** A link as a finding names it. */
export interface LinkMarkup {
  /** The `href` attribute as written. */
  readonly attribute: string;
  readonly text: string;
  /** An `<area href>` rather than an `<a href>`. */
  readonly area?: boolean;
}

/** `a[href="…"]` (or `area[href="…"]`) with the attribute as written, escaped as a CSS string. */
export function linkSelector(link: LinkMarkup): string {
  return `${link.area === true ? 'area' : 'a'}[href="${cssString(link.attribute)}"]`;
}

/** `<a href="…">text</a>`, escaped as HTML, the text cut at `MAX_QUOTED_TEXT` characters. */
export function linkSnippet(link: LinkMarkup): string {
  const href = link.attribute.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  if (link.area === true) return `<area href="${href}">`;
  const text = quotedText(link.text).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<a href="${href}">${text}</a>`;
}

/** The link's text for a message, cut at `MAX_QUOTED_TEXT` characters. */
export function quotedText(text: string): string {
  const chars = Array.from(text);
  return chars.length > MAX_QUOTED_TEXT ? `${chars.slice(0, MAX_QUOTED_TEXT - 1).join('')}…` : text;
}

/** `value` inside a double-quoted CSS string: backslashes and quotes escaped, line breaks as `\a `. */
function cssString(value: string): string {
  return value.replace(/[\\"]/g, '\\$&').replace(/\r\n|[\n\r\f]/g, '\\a ');
}
