import type { BrowserContext, Page, Response } from 'playwright-core';
import { InvalidArgumentError, stopwatch, TimeoutError, withTimeout } from '../../core/index.js';
import { abortable, settleWithin } from './abortable.js';
import { firstLine } from './errors.js';
import { parkPage, takeIdlePage } from './page-reuse.js';
import { DEFAULT_MAX_LINKS, MAX_LINK_TEXT, readPageContent, type PageLink } from './page-content.js';

/** How long a page the visit opened gets to close. */
const PAGE_CLOSE_MS = 2_000;
/** The media types whose documents have links to read. */
const HTML_TYPES: ReadonlySet<string> = new Set(['text/html', 'application/xhtml+xml']);

/** Options of `visitPage`. */
export interface VisitOptions {
  /** The longest the visit may take, from the call: navigation, load event and reading the page. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** @default DEFAULT_MAX_LINKS (10 000) */
  readonly maxLinks?: number;
  /** What else looks at the page: attached before the navigation, given the loaded page after it. */
  readonly probe?: VisitProbe;
}

/**
 * Something that looks at the page of one visit (the QA checks): `attach` before the navigation (to
 * listen to the console, the requests, …), `inspect` once an HTML document loaded and was read, `detach`
 * at the end whatever happened. `inspect` is not bounded by the visit's `timeoutMs` (the probe bounds its
 * own work) and should not throw: an error other than the signal's reason ends the visit as failed.
 */
export interface VisitProbe {
  attach(page: Page): void;
  inspect(page: Page, visit: PageVisit, signal: AbortSignal): Promise<void>;
  detach(page: Page): void;
}

/** One hop of a redirect chain: the URL that redirected and its status (301, 302, 307, 308, …). */
export interface Redirect {
  readonly url: string;
  readonly status: number | null;
}

/** Why a visit did not complete: out of time, a navigation error (DNS, refused, TLS …), or a crash. */
export interface VisitError {
  readonly kind: 'timeout' | 'navigation' | 'crash';
  readonly message: string;
}

/** What one visit of a URL found. */
export interface PageVisit {
  readonly requestedUrl: string;
  /** The URL of the main document's response (after redirects), or `requestedUrl` when none came. */
  readonly finalUrl: string;
  /** The HTTP status of the main document, or `null` when no response came. */
  readonly status: number | null;
  /** The redirects followed, in order, before the final response. */
  readonly redirects: readonly Redirect[];
  /** The main document's media type, lower case, without parameters (`text/html`), or `null`. */
  readonly contentType: string | null;
  /** The main response's `Retry-After` header, as sent, when it had one (a 429 or 503 asking to wait). */
  readonly retryAfter?: string;
  /** The document's title, or `null` when the document was not read (not HTML, or an error). */
  readonly title: string | null;
  /** Navigation start to the end of the load event, in milliseconds; `null` when it did not load. */
  readonly loadMs: number | null;
  /** The resolved `href` of `<link rel="canonical">`, or `null`. */
  readonly canonical: string | null;
  /** The page's links (none for a document that is not HTML). */
  readonly links: readonly PageLink[];
  /** Set when the page had more than `maxLinks` links and only the first were kept. */
  readonly linksTruncated?: true;
  readonly error?: VisitError;
}

/**
 * Visits `url` (http or https only) in `target`: a page, or a context, in which the visit reuses the page
 * the context's last successful visit left open (`page-reuse.ts`) or opens one. Waits for the load event, then reads the title, the canonical link and the
 * links (only of an HTML document). It never clicks and never submits a form.
 *
 * A visit that fails returns a `PageVisit` with `error`, and with whatever was known: the status and
 * redirects of a page whose body never finished, say. Nothing waits beyond `timeoutMs`.
 * @throws InvalidArgumentError for a URL that is not http(s) (nothing is navigated), or the signal's
 *   reason when it aborts (the context's page is closed; a page given is left as it is).
 */
export async function visitPage(
  target: Page | BrowserContext,
  url: string,
  options: VisitOptions,
): Promise<PageVisit> {
  const { signal, timeoutMs } = options;
  if (signal.aborted) throw signal.reason;
  const requestedUrl = httpUrl(url);
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new InvalidArgumentError(`Expected \`timeoutMs\` to be a number > 0, got ${String(timeoutMs)}`);
  }
  const deadline = withTimeout(
    signal,
    timeoutMs,
    () => new TimeoutError(`The visit of ${requestedUrl} took longer than ${timeoutMs} ms`, timeoutMs),
  );
  const context = 'newPage' in target ? target : undefined;
  const given = 'newPage' in target ? undefined : target;
  let page: Page | undefined;
  let reusable = false;
  try {
    const endsAt = performance.now() + timeoutMs;
    page = given ?? takeIdlePage(context!) ?? (await abortable(context!.newPage(), deadline.signal));
    const probe = options.probe;
    probe?.attach(page);
    try {
      const visited = await visit(page, requestedUrl, endsAt, { ...options, signal: deadline.signal });
      if (signal.aborted) throw signal.reason;
      deadline.dispose();
      if (probe !== undefined && visited.error === undefined && visited.title !== null) {
        await probe.inspect(page, visited, signal);
      }
      if (signal.aborted) throw signal.reason;
      reusable = visited.error === undefined;
      return visited;
    } finally {
      probe?.detach(page);
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { ...emptyVisit(requestedUrl), error: visitError(error, false) };
  } finally {
    deadline.dispose();
    // A page that failed (timed out, crashed, aborted) may still be busy: the next visit gets a new one.
    if (context !== undefined && page !== undefined && !(reusable && parkPage(context, page))) {
      await settleWithin(page.close(), PAGE_CLOSE_MS);
    }
  }
}

/** The visit in `page` until `endsAt` (`performance.now()`); `options.signal` aborts then too. */
async function visit(
  page: Page,
  requestedUrl: string,
  endsAt: number,
  options: VisitOptions,
): Promise<PageVisit> {
  const { signal } = options;
  let crashed = false;
  let mainResponse: Response | undefined;
  const onCrash = (): void => {
    crashed = true;
  };
  const onResponse = (response: Response): void => {
    if (isMainDocument(page, response)) mainResponse = response;
  };
  page.on('crash', onCrash);
  page.on('response', onResponse);
  const elapsed = stopwatch();
  try {
    let navigationError: unknown;
    try {
      const response = await abortable(
        page.goto(requestedUrl, { waitUntil: 'load', timeout: Math.max(1, endsAt - performance.now()) }),
        signal,
      );
      if (response !== null) mainResponse = response;
    } catch (error) {
      navigationError = error;
    }
    const goneMs = Math.round(elapsed());
    const visit = await responseFacts(requestedUrl, mainResponse, signal);
    if (navigationError !== undefined) return { ...visit, error: visitError(navigationError, crashed) };
    if (visit.contentType !== null && !HTML_TYPES.has(visit.contentType)) return { ...visit, loadMs: goneMs };
    let content;
    try {
      const limits = { maxText: MAX_LINK_TEXT, maxLinks: options.maxLinks ?? DEFAULT_MAX_LINKS };
      content = await abortable(page.evaluate(readPageContent, limits), signal);
    } catch (error) {
      return { ...visit, loadMs: goneMs, error: visitError(error, crashed) };
    }
    const readable = HTML_TYPES.has(content.contentType);
    return {
      ...visit,
      contentType: visit.contentType ?? content.contentType,
      title: readable ? content.title : null,
      loadMs: content.loadMs ?? goneMs,
      canonical: readable ? content.canonical : null,
      links: content.links,
      ...(content.linksTruncated ? { linksTruncated: true as const } : {}),
    };
  } finally {
    page.off('crash', onCrash);
    page.off('response', onResponse);
  }
}

/** What the main response says: final URL, status, media type and the redirects before it. */
async function responseFacts(
  requestedUrl: string,
  response: Response | undefined,
  signal: AbortSignal,
): Promise<PageVisit> {
  if (response === undefined) return emptyVisit(requestedUrl);
  const redirects: Redirect[] = [];
  for (
    let request = response.request().redirectedFrom();
    request !== null;
    request = request.redirectedFrom()
  ) {
    // A redirect's response is already in hand; the deadline may have passed, so only a crash can stop it.
    const hop = await abortable(
      request.response(),
      AbortSignal.any([signal, AbortSignal.timeout(1_000)]),
    ).catch(() => null);
    redirects.unshift({ url: request.url(), status: hop?.status() ?? null });
  }
  return {
    ...emptyVisit(requestedUrl),
    finalUrl: response.url(),
    status: response.status(),
    redirects,
    contentType: mediaType(response.headers()['content-type']),
    ...(response.headers()['retry-after'] === undefined
      ? {}
      : { retryAfter: response.headers()['retry-after'] }),
  };
}

function emptyVisit(requestedUrl: string): PageVisit {
  return {
    requestedUrl,
    finalUrl: requestedUrl,
    status: null,
    redirects: [],
    contentType: null,
    title: null,
    loadMs: null,
    canonical: null,
    links: [],
  };
}

/** Whether `response` answers the main frame's navigation (not a sub-resource, not an iframe). */
function isMainDocument(page: Page, response: Response): boolean {
  try {
    const request = response.request();
    return request.isNavigationRequest() && request.frame() === page.mainFrame();
  } catch {
    return false; // a service worker's request has no frame
  }
}

function visitError(error: unknown, crashed: boolean): VisitError {
  const message = firstLine(error);
  // playwright-core's own TimeoutError, by name: the module is loaded only once a browser launches.
  if (error instanceof TimeoutError || (error instanceof Error && error.name === 'TimeoutError'))
    return { kind: 'timeout', message };
  if (crashed) return { kind: 'crash', message: `The page crashed: ${message}` };
  if (/Target crashed|crash|has been closed|Target closed/i.test(message)) return { kind: 'crash', message };
  return { kind: 'navigation', message };
}

/** `text/html; charset=utf-8` → `text/html`; `null` for no header. */
function mediaType(header: string | undefined): string | null {
  const type = header?.split(';', 1)[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? null : type;
}

/** The URL, normalised, when it is http(s). @throws InvalidArgumentError otherwise. */
function httpUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`Not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidArgumentError(`Only http(s) URLs are visited, not ${JSON.stringify(url)}`);
  }
  return parsed.href;
}
