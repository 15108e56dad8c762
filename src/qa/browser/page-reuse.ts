import type { BrowserContext, Page } from 'playwright-core';

/**
 * The page `visitPage` keeps open in each context between two visits. Opening a page starts a renderer
 * process (about 200 ms here, against under 100 ms for a navigation), so a visit in a context reuses the
 * page the last successful visit left, and opens one only when there is none. A context holds at most one
 * such page; it closes with its context.
 */
const idlePages = new WeakMap<BrowserContext, Page>();

/** The context's idle page, now taken (no other visit gets it), or `undefined`. */
export function takeIdlePage(context: BrowserContext): Page | undefined {
  const page = idlePages.get(context);
  idlePages.delete(context);
  return page === undefined || page.isClosed() ? undefined : page;
}

/** Keeps `page` as the context's idle page; `false` when it already has one (close `page` then). */
export function parkPage(context: BrowserContext, page: Page): boolean {
  const parked = idlePages.get(context);
  if (parked !== undefined && !parked.isClosed()) return false;
  idlePages.set(context, page);
  return true;
}
