import type { JSHandle, Page } from 'playwright-core';

/*
 * The CSS selector a finding names its element by (docs/qa.md, "Findings"): `#id` when the id is unique in
 * the document, else a path of tags from the nearest ancestor with a unique id, or from `body`, each tag
 * with `:nth-of-type(n)` when it has siblings of its kind. The selector is part of a finding's
 * fingerprint, so it leaves out what changes between visits (classes a script toggles, text).
 *
 * The builder runs in the page, and the checks that need it (`forms`, `images`) run their own code in the
 * page too. It is shared, not copied into each of them: `selectorBuilder` puts the function in the page as
 * a value (a JSHandle), and a check passes that handle to its own in-page function as an argument, which
 * Playwright turns back into the function there. The function travels as its source text, so it is
 * written as `page-content.ts`'s readers are: self-contained, no imports, no named inner functions.
 * Playwright compiles that text inside a DevTools protocol call, which the page's Content-Security-Policy
 * does not refuse (a page's own `eval` would be refused without 'unsafe-eval'; the protocol's is not).
 */

/** The little of the DOM `elementSelector` uses (the project's types have no DOM library). */
export interface SelectorElement {
  readonly id: string;
  readonly localName: string;
  readonly parentElement: SelectorElement | null;
  readonly children: ArrayLike<SelectorElement>;
}

interface SelectorGlobals {
  readonly document: { querySelectorAll(selectors: string): ArrayLike<unknown> };
  readonly CSS: { escape(text: string): string };
}

/** What `elementSelector` is, as an in-page function's argument gets it. */
export type ElementSelector = (element: SelectorElement) => string;

/**
 * A CSS selector of `element` in its document: `#id` when its id is unique, else a path of tags joined by
 * ` > ` from the nearest ancestor with a unique id (`#checkout > fieldset:nth-of-type(2) > input`), or
 * from `body` (`body > main > img:nth-of-type(3)`). It runs in the page: pass it around with
 * `selectorBuilder`, or call it from a function that is itself evaluated with it.
 */
export function elementSelector(element: SelectorElement): string {
  const { document, CSS } = globalThis as unknown as SelectorGlobals;
  const parts: string[] = [];
  let node: SelectorElement | null = element;
  while (node !== null) {
    if (node.id !== '') {
      const byId = `#${CSS.escape(node.id)}`;
      // An id used twice names neither element: the path goes on up past it.
      if (document.querySelectorAll(byId).length === 1) {
        parts.unshift(byId);
        break;
      }
    }
    const parent: SelectorElement | null = node.parentElement;
    const tag = CSS.escape(node.localName);
    if (parent === null || node.localName === 'body') {
      parts.unshift(tag);
      break;
    }
    let kind = 0;
    let position = 0;
    for (let i = 0; i < parent.children.length; i++) {
      const sibling = parent.children[i];
      if (sibling?.localName !== node.localName) continue;
      kind += 1;
      if (sibling === node) position = kind;
    }
    parts.unshift(kind > 1 ? `${tag}:nth-of-type(${position})` : tag);
    node = parent;
  }
  return parts.join(' > ');
}

/**
 * `elementSelector` as a value in `page`, for an in-page function's argument (`page.evaluate(fn, { selectorOf
 * })`, where `fn` calls `selectorOf(element)`). The caller disposes of the handle once done with it.
 */
export function selectorBuilder(page: Page): Promise<JSHandle<ElementSelector>> {
  return page.evaluateHandle<ElementSelector>(`(${elementSelector.toString()})`);
}

/** Runs `work` with `elementSelector` in `page` as a handle, and lets the handle go after, whatever happened. */
export async function withSelectorBuilder<T>(
  page: Page,
  work: (selectorOf: JSHandle<ElementSelector>) => Promise<T>,
): Promise<T> {
  const selectorOf = await selectorBuilder(page);
  try {
    return await work(selectorOf);
  } finally {
    // The page may be gone (closed, crashed): its handles went with it.
    await selectorOf.dispose().catch(() => undefined);
  }
}
