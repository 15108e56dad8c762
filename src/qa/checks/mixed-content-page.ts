/*
 * The in-page side of `mixed-content`: the elements of the document that point at plain http:. It runs in
 * the page (`page.evaluate`), so it is self-contained (no imports, no named inner functions: a bundler may
 * wrap those in helpers the page does not have) and typed through the little of the DOM it uses (the
 * project's types have no DOM library). It reads; it changes nothing.
 */

/** What an insecure element is: active content, passive content, or a form that sends over http:. */
export type InsecureKind = 'active' | 'passive' | 'form';

/** An element of the page whose resource, or form target, is an http: URL. */
export interface InsecureElement {
  readonly kind: InsecureKind;
  /** What it loads, as a request's resource type names it (`script`, `stylesheet`, `image`, …), or `form`. */
  readonly type: string;
  /** The http: URL, resolved against the document's base URL. */
  readonly url: string;
  /** A CSS selector of the element, unique in the document. */
  readonly selector: string;
  /** The element's start tag, at most 200 characters. */
  readonly html: string;
}

interface ScanElement {
  readonly localName: string;
  readonly outerHTML: string;
  readonly parentElement: ScanElement | null;
  readonly children: ArrayLike<ScanElement>;
  getAttribute(name: string): string | null;
}

interface ScanGlobals {
  readonly document: {
    readonly baseURI: string;
    querySelectorAll(selectors: string): ArrayLike<ScanElement>;
  };
}

/**
 * The elements that load an http: resource (`script[src]`, stylesheets, `iframe[src]`: active; `img`,
 * `audio`, `video`, `source` with `src`: passive) and the forms that send to an http: URL (`form[action]`,
 * a submit button's `formaction`), in document order, at most `limit`.
 */
export function findInsecureElements(limit: number): InsecureElement[] {
  const { document } = globalThis as unknown as ScanGlobals;
  const found: InsecureElement[] = [];
  const elements = document.querySelectorAll(
    'script[src], link[rel~="stylesheet" i][href], iframe[src], img[src], audio[src], video[src], source[src], form[action], button[formaction], input[formaction]',
  );
  for (let i = 0; i < elements.length && found.length < limit; i++) {
    const element = elements[i];
    if (element === undefined) continue;
    const tag = element.localName;
    const attribute =
      tag === 'link'
        ? 'href'
        : tag === 'form'
          ? 'action'
          : tag === 'button' || tag === 'input'
            ? 'formaction'
            : 'src';
    let url: URL;
    try {
      url = new URL((element.getAttribute(attribute) ?? '').trim(), document.baseURI);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:') continue;
    const kind: InsecureKind =
      attribute === 'action' || attribute === 'formaction'
        ? 'form'
        : tag === 'script' || tag === 'link' || tag === 'iframe'
          ? 'active'
          : 'passive';
    const type =
      kind === 'form'
        ? 'form'
        : tag === 'script'
          ? 'script'
          : tag === 'link'
            ? 'stylesheet'
            : tag === 'iframe'
              ? 'document'
              : tag === 'img'
                ? 'image'
                : 'media';
    // The selector: `tag:nth-of-type(n)` steps up to the nearest ancestor with a unique plain id, or the root.
    let selector = '';
    for (let node: ScanElement | null = element; node !== null; node = node.parentElement) {
      const id = node.getAttribute('id');
      if (id !== null && /^[A-Za-z][\w-]*$/.test(id) && document.querySelectorAll(`#${id}`).length === 1) {
        selector = selector === '' ? `#${id}` : `#${id} > ${selector}`;
        break;
      }
      let step = node.localName;
      const parent: ScanElement | null = node.parentElement;
      if (parent !== null) {
        let same = 0;
        let index = 0;
        for (let j = 0; j < parent.children.length; j++) {
          const sibling: ScanElement | undefined = parent.children[j];
          if (sibling?.localName !== node.localName) continue;
          same++;
          if (sibling === node) index = same;
        }
        if (same > 1) step += `:nth-of-type(${index})`;
      }
      selector = selector === '' ? step : `${step} > ${selector}`;
    }
    const outer = element.outerHTML;
    const start = outer.slice(0, outer.indexOf('>') + 1 || outer.length);
    found.push({
      kind,
      type,
      url: url.href,
      selector,
      html: start.length > 200 ? `${start.slice(0, 199)}…` : start,
    });
  }
  return found;
}
