import type { Page, Request, Response } from 'playwright-core';
import type { CheckFinding, CheckWatch, PageCheck } from './check.js';
import { urlTemplate } from './fingerprint.js';

/*
 * `failed-request` (docs/qa.md, "Checks"): the page's sub-resources (scripts, styles, images, fonts,
 * frames, fetches) that answered an error or never answered. The page's own document is `http-status`'s.
 */

/** How many resources a finding lists; past them it says how many more there were. */
export const MAX_LISTED_RESOURCES = 20;
/** The most resources one page's watch keeps: enough to list, and to count what it does not list. */
const MAX_KEPT = 1_000;
/** The longest URL a finding quotes. */
const MAX_URL = 200;

/**
 * Failures that are no fault of the resource: `net::ERR_ABORTED` is a request the page or the browser
 * cancelled (the page navigated away or closed, removed the element, stopped the fetch, or Chromium
 * dropped the body of a response that already answered ≥ 400); `mixed-content` is Chromium blocking an
 * http: resource of an https page, which `mixed-content` reports.
 */
const NOT_FAILURES: ReadonlySet<string> = new Set(['net::ERR_ABORTED', 'mixed-content']);

/** One resource that did not load: its URL, what went wrong (`404`, `net::ERR_CONNECTION_REFUSED`), its type. */
interface FailedResource {
  readonly url: string;
  readonly status: number | null;
  readonly failure: string | null;
  readonly type: string;
}

/**
 * The `failed-request` check: one `resource-error` finding (high) per page for the sub-resources that
 * answered 5xx or failed (refused, reset, blocked, …), one `resource-4xx` (medium) for those that
 * answered 4xx, each listing its resources (the first `MAX_LISTED_RESOURCES`). Its subject is the sorted
 * URL templates of the resources, so the same broken set on many pages is one finding. A `/favicon.ico`
 * that answers 404 is none (browsers ask for it whether the site has one or not), nor are the failures
 * of `NOT_FAILURES`.
 */
export const failedRequestCheck: PageCheck = {
  id: 'failed-request',
  watch(page: Page): CheckWatch {
    const failed = new Map<Request, FailedResource>();
    const onResponse = (response: Response): void => {
      const status = response.status();
      const request = response.request();
      if (status < 400 || failed.size >= MAX_KEPT || isMainDocument(page, request)) return;
      if (status === 404 && new URL(response.url()).pathname.endsWith('/favicon.ico')) return;
      failed.set(request, { url: response.url(), status, failure: null, type: request.resourceType() });
    };
    const onFailed = (request: Request): void => {
      const failure = request.failure()?.errorText ?? 'failed';
      if (failed.has(request) || failed.size >= MAX_KEPT || NOT_FAILURES.has(failure)) return;
      if (isMainDocument(page, request)) return;
      failed.set(request, { url: request.url(), status: null, failure, type: request.resourceType() });
    };
    page.on('response', onResponse);
    page.on('requestfailed', onFailed);
    return {
      finish: () => findings([...failed.values()]),
      stop: () => {
        page.off('response', onResponse);
        page.off('requestfailed', onFailed);
      },
    };
  },
};

/** The page's findings: the 5xx and failed resources in one, the 4xx in another. */
function findings(failed: readonly FailedResource[]): CheckFinding[] {
  // Sorted by URL: the order responses arrive in varies, a report should not.
  const unique = [
    ...new Map(failed.map((one) => [`${one.url} ${one.status ?? one.failure}`, one])).values(),
  ].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  const errors = unique.filter((one) => one.status === null || one.status >= 500);
  const missing = unique.filter((one) => one.status !== null && one.status < 500);
  const found: CheckFinding[] = [];
  if (errors.length > 0) {
    found.push({
      rule: 'resource-error',
      severity: 'high',
      title: errors.length === 1 ? 'A resource failed to load' : `${errors.length} resources failed to load`,
      message: `Failed or answered a server error: ${listed(errors)}`,
      subject: subjectOf(errors),
    });
  }
  if (missing.length > 0) {
    found.push({
      rule: 'resource-4xx',
      severity: 'medium',
      title: missing.length === 1 ? 'A resource is missing' : `${missing.length} resources are missing`,
      message: `Answered a client error: ${listed(missing)}`,
      subject: subjectOf(missing),
    });
  }
  return found;
}

/** `url (404, image); …`, the first `MAX_LISTED_RESOURCES` by URL, then `and N more`. */
function listed(resources: readonly FailedResource[]): string {
  const shown = resources.slice(0, MAX_LISTED_RESOURCES).map((one) => {
    const url = one.url.length > MAX_URL ? `${one.url.slice(0, MAX_URL - 1)}…` : one.url;
    return `${url} (${one.status ?? one.failure}, ${one.type})`;
  });
  const more = resources.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`;
}

/** The resources' URL templates, sorted, once each. */
function subjectOf(resources: readonly FailedResource[]): string {
  return [...new Set(resources.map((one) => urlTemplate(one.url)))].sort().join(' ');
}

/** Whether `request` is the main frame's navigation (the page's own document, `http-status`'s). */
function isMainDocument(page: Page, request: Request): boolean {
  try {
    return request.isNavigationRequest() && request.frame() === page.mainFrame();
  } catch {
    return false; // a service worker's request has no frame
  }
}
