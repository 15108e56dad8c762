import { describe, expect, it } from 'vitest';
import { escapeXmlAttribute, escapeXmlText, stripInvalidXmlChars, xmlElement } from './xml.js';
import { parseXml, textOf } from './fixtures/xml-reader.js';

const HOSTILE =
  'a < b && c > d "q" \'s\' ]]> \u0000\u0001\u001b\u007f tab\there\nline\r\n \uFFFE\uFFFF \uD800 lone 😀 é';

describe('XML escaping', () => {
  it('drops what XML 1.0 forbids and keeps the rest, astral characters included', () => {
    expect(stripInvalidXmlChars('a\u0000b\u0008c\u000bd\u001fe\uFFFEf\uFFFFg\uD800h\uDFFFi')).toBe(
      'abcdefghi',
    );
    expect(stripInvalidXmlChars('tab\t lf\n cr\r \u007f \u0085 😀 \uE000 \uFFFD')).toBe(
      'tab\t lf\n cr\r \u007f \u0085 😀 \uE000 \uFFFD',
    );
  });

  it('escapes markup in text and, with quotes and line breaks, in attributes', () => {
    expect(escapeXmlText('<a href="x">&amp;</a>')).toBe('&lt;a href="x"&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeXmlAttribute(`"it's"\n\t<&>`)).toBe('&quot;it&apos;s&quot;&#10;&#9;&lt;&amp;&gt;');
  });

  it('round-trips hostile text through a strict reader, minus the forbidden characters', () => {
    const xml = xmlElement('root', { value: HOSTILE, missing: undefined }, escapeXmlText(HOSTILE));
    const root = parseXml(xml);
    const kept = stripInvalidXmlChars(HOSTILE);
    expect(root.attributes).toEqual({ value: kept });
    // Text keeps a CR LF as written; a real parser would fold it to LF, which is XML's rule, not ours.
    expect(textOf(root)).toBe(kept);
    expect(xmlElement('empty', { n: 3 })).toBe('<empty n="3"/>');
  });
});

describe('the strict XML reader of the tests', () => {
  it.each([
    ['<a>', 'never closed'],
    ['<a></b>', 'mismatched'],
    ['<a x=1/>', 'quoted'],
    ['<a x="1" x="2"/>', 'repeated'],
    ['<a x="<"/>', '"<"'],
    ['<a>&nbsp;</a>', 'unknown entity'],
    ['<a>&#0;</a>', 'not an XML character'],
    ['<a>\u0001</a>', 'U+1'],
    ['<a>x ]]> y</a>', ']]>'],
    ['<a/><b/>', 'after the root'],
    ['<a>& b</a>', 'unterminated reference'],
  ])('refuses %j', (xml, why) => {
    expect(() => parseXml(xml)).toThrow(why);
  });
});
