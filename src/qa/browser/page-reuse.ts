import type { BrowserContext, Page } from 'playwright-core';

/**
 * How many visits a kept page serves between two garbage collections of its renderer. A renderer that
 * navigates from page to page keeps every document it left (about two a visit) until V8 decides on a full
 * collection, which a small heap seldom needs: 60 visits grew one from 130 to 207 MB resident, with 122
 * documents alive. A collection every 10 visits keeps it at about 155 MB, for a few milliseconds each.
 */
export const GC_EVERY_VISITS = 10;

/**
 * The page `visitPage` keeps open in each context between two visits. Opening a page starts a renderer
 * process (about 200 ms here, against under 100 ms for a navigation), so a visit in a context reuses the
 * page the last successful visit left, and opens one only when there is none. A context holds at most one
 * such page; it closes with its context.
 */
const idlePages = new WeakMap<BrowserContext, Page>();
/** Visits each kept page served. */
const visits = new WeakMap<Page, number>();

/** The context's idle page, now taken (no other visit gets it), or `undefined`. */
export function takeIdlePage(context: BrowserContext): Page | undefined {
  const page = idlePages.get(context);
  idlePages.delete(context);
  return page === undefined || page.isClosed() ? undefined : page;
}

/**
 * Keeps `page` as the context's idle page; `false` when it already has one (close `page` then). Every
 * `GC_EVERY_VISITS` visits, its renderer collects its garbage (in the background: the next visit's
 * navigation queues behind it).
 */
export function parkPage(context: BrowserContext, page: Page): boolean {
  const parked = idlePages.get(context);
  if (parked !== undefined && !parked.isClosed()) return false;
  idlePages.set(context, page);
  const count = (visits.get(page) ?? 0) + 1;
  visits.set(page, count);
  if (count % GC_EVERY_VISITS === 0) void collectGarbage(context, page);
  return true;
}

/** A full garbage collection in the page's renderer (Chromium's DevTools protocol); failures are ignored. */
async function collectGarbage(context: BrowserContext, page: Page): Promise<void> {
  try {
    const session = await context.newCDPSession(page);
    try {
      await session.send('HeapProfiler.collectGarbage');
    } finally {
      await session.detach();
    }
  } catch {
    // The page closed, or the browser went away: there is nothing left to collect.
  }
}
