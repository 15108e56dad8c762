import type { Page, Request } from 'playwright-core';
import { abortable } from '../browser/abortable.js';
import type { CheckFinding, CheckWatch, PageCheck, PageCheckContext } from './check.js';
import { urlTemplate } from './fingerprint.js';
import { findInsecureElements, type InsecureElement, type InsecureKind } from './mixed-content-page.js';

/*
 * `mixed-content` (docs/qa.md, "Checks"): an https page that loads part of itself, or sends a form, over
 * plain http:. Two views of it: the requests the page made (which catch what scripts load, and redirects
 * to http:), and the document's elements (which catch what Chromium blocked or upgraded to https before
 * any request, and give the element). One resource seen both ways is one finding, with its element.
 */

/** The most `mixed-content` findings one page gives. */
export const MAX_MIXED_CONTENT_FINDINGS = 20;
/** The request types that are passive content (browsers show them, upgraded or not); the rest is active. */
const PASSIVE_TYPES: ReadonlySet<string> = new Set(['image', 'media']);

/** The order findings are kept in under the cap. */
const RANK: Readonly<Record<string, number>> = {
  'insecure-form': 0,
  'active-mixed-content': 1,
  'passive-mixed-content': 2,
};

/** An http: request of the page: its URL and resource type. */
interface InsecureRequest {
  readonly url: string;
  readonly type: string;
}

/** What each page's watch heard, kept from its `finish` for the `inspect` that follows. */
const heardBy = new WeakMap<Page, InsecureRequest[]>();

/**
 * The `mixed-content` check, on https pages only: active content over http: (scripts, stylesheets,
 * frames, fetches, fonts: `active-mixed-content`, high), passive content (images, audio, video:
 * `passive-mixed-content`, medium), and a form that sends to an http: URL (`insecure-form`, high). Its
 * `watch` notes the http: requests and its `inspect` scans the document, then reports both, one finding
 * per resource (with its element's selector when the document has it), at most
 * `MAX_MIXED_CONTENT_FINDINGS` a page.
 */
export const mixedContentCheck: PageCheck = {
  id: 'mixed-content',
  watch(page: Page): CheckWatch {
    heardBy.delete(page);
    const heard = new Map<string, InsecureRequest>();
    const onRequest = (request: Request): void => {
      const url = request.url();
      if (!url.startsWith('http:') || heard.has(url) || heard.size >= MAX_MIXED_CONTENT_FINDINGS * 5) return;
      if (!fromSecureFrame(page, request)) return;
      heard.set(url, { url, type: request.resourceType() });
    };
    page.on('request', onRequest);
    return {
      // Reported by `inspect`, with the elements, so a resource seen both ways is told once.
      finish: () => {
        heardBy.set(page, [...heard.values()]);
        return [];
      },
      stop: () => {
        page.off('request', onRequest);
      },
    };
  },
  async inspect(context: PageCheckContext): Promise<CheckFinding[]> {
    const { page } = context;
    const heard = heardBy.get(page) ?? [];
    heardBy.delete(page);
    if (!isHttps(context.visit.finalUrl)) return [];
    // More than are reported, so the forms and active content are found past a page of images.
    const elements = await abortable(
      page.evaluate(findInsecureElements, MAX_MIXED_CONTENT_FINDINGS * 5),
      context.signal,
    );
    const seen = new Set(elements.map((element) => element.url));
    const found = [
      ...elements.map(elementFinding),
      ...heard.filter((request) => !seen.has(request.url)).map(requestFinding),
    ];
    // Worst first (the sort keeps document order within a rule), so the cap drops passive content first.
    return found.sort((a, b) => RANK[a.rule]! - RANK[b.rule]!).slice(0, MAX_MIXED_CONTENT_FINDINGS);
  },
};

/**
 * Whether `request` was made by a frame whose document is not itself on http: (the requests of an http:
 * frame are that frame's, which is the finding); the main frame's own navigation is none.
 */
function fromSecureFrame(page: Page, request: Request): boolean {
  try {
    const frame = request.frame();
    if (request.isNavigationRequest()) return frame !== page.mainFrame();
    return !frame.url().startsWith('http:');
  } catch {
    return false; // a service worker's request has no frame
  }
}

function isHttps(url: string): boolean {
  return url.startsWith('https:');
}

function elementFinding(element: InsecureElement): CheckFinding {
  return {
    ...described(element.kind, element.type, element.url),
    selector: element.selector,
    snippet: element.html,
  };
}

function requestFinding(request: InsecureRequest): CheckFinding {
  const kind: InsecureKind = PASSIVE_TYPES.has(request.type) ? 'passive' : 'active';
  return {
    ...described(kind, request.type, request.url),
    snippet: request.url,
    subject: urlTemplate(request.url),
  };
}

/** The rule, severity, title and message of an http: resource (or form target) of `kind`. */
function described(
  kind: InsecureKind,
  type: string,
  url: string,
): Pick<CheckFinding, 'rule' | 'severity' | 'title' | 'message'> {
  if (kind === 'form') {
    return {
      rule: 'insecure-form',
      severity: 'high',
      title: 'Form sends over plain HTTP',
      message: `A form of this https page sends what is typed into it to ${url}, unencrypted: anyone on the network can read it.`,
    };
  }
  if (kind === 'active') {
    return {
      rule: 'active-mixed-content',
      severity: 'high',
      title: `Active mixed content (${type})`,
      message: `This https page loads the ${type} ${url} over plain HTTP: browsers block it (the page loses it), and whoever could change it in transit would control the page.`,
    };
  }
  return {
    rule: 'passive-mixed-content',
    severity: 'medium',
    title: `Passive mixed content (${type})`,
    message: `This https page loads the ${type} ${url} over plain HTTP: browsers upgrade it to https (it breaks when the server has no https) or mark the page not secure.`,
  };
}
