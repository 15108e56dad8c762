import type { PageVisit } from './browser/index.js';
import { finding, type Finding } from './report.js';

/** The id of the check that reports a page's own HTTP status and navigation failures. */
export const HTTP_STATUS_CHECK = 'http-status';

/**
 * The `http-status` findings of one visit: the page's own 5xx (critical) and 4xx (high), a redirect
 * loop, a navigation that failed before any response, and a page that did not load in time (high).
 */
export function httpStatusFindings(url: string, visit: PageVisit): Finding[] {
  const found: Finding[] = [];
  const status = visit.status;
  if (status !== null && status >= 500) {
    found.push(
      finding({
        check: HTTP_STATUS_CHECK,
        rule: '5xx',
        severity: 'critical',
        title: `Server error ${status}`,
        message: `${visit.finalUrl} answered ${status}.`,
        url,
      }),
    );
  } else if (status !== null && status >= 400) {
    found.push(
      finding({
        check: HTTP_STATUS_CHECK,
        rule: '4xx',
        severity: 'high',
        title: `Client error ${status}`,
        message: `${visit.finalUrl} answered ${status}${status === 404 ? ' (not found): a link leads nowhere' : ''}.`,
        url,
      }),
    );
  }
  const error = visit.error;
  if (error !== undefined) {
    const loop = /ERR_TOO_MANY_REDIRECTS/.test(error.message);
    const rule = loop
      ? 'redirect-loop'
      : error.kind === 'timeout'
        ? 'navigation-timeout'
        : 'navigation-error';
    const title = loop
      ? 'Redirect loop'
      : error.kind === 'timeout'
        ? 'Page did not load in time'
        : error.kind === 'crash'
          ? 'Page crashed the browser tab'
          : 'Navigation failed';
    found.push(
      finding({
        check: HTTP_STATUS_CHECK,
        rule,
        severity: 'high',
        title,
        message: firstLine(error.message),
        url,
      }),
    );
  }
  return found;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
