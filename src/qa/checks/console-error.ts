import type { ConsoleMessage, Page } from 'playwright-core';
import type { CheckFinding, CheckSettings, CheckWatch, PageCheck } from './check.js';
import { normaliseSubject } from './fingerprint.js';

/*
 * `console-error` (docs/qa.md, "Checks"): what the page wrote to the console as errors while it loaded.
 * Chromium writes some there itself; those another check reports better are left to it.
 */

/** The most `console-error` findings one page gives: a page that logs in a loop says enough with 20. */
export const MAX_CONSOLE_FINDINGS = 20;
/** The longest message a finding quotes, in characters. */
const MAX_MESSAGE = 500;

/**
 * Hosts of analytics and advertising scripts whose console errors say nothing of the site (a blocked
 * tracker, an ad that did not fill): a message whose source is on one of them, or on a subdomain, is not
 * a finding. Kept short on purpose: the rest is the `ignore_console` setting's job.
 */
export const THIRD_PARTY_NOISE_HOSTS: readonly string[] = [
  'google-analytics.com',
  'googletagmanager.com',
  'doubleclick.net',
  'facebook.net',
  'hotjar.com',
];

/**
 * Lines Chromium writes itself about what another check reports, resource by resource:
 * `Failed to load resource: …` (a sub-resource that answered ≥ 400 or failed: `failed-request`) and
 * `Mixed Content: …` (an http: resource of an https page: `mixed-content`).
 */
const REPORTED_ELSEWHERE = /^(?:Failed to load resource: |Mixed Content: )/;

/** What one console error says and where it came from. */
interface ConsoleError {
  readonly subject: string;
  readonly text: string;
  /** `url:line` (1-based), or `null` when the browser gave no source. */
  readonly location: string | null;
}

/**
 * The `console-error` check: every `console.error` (and Chromium's own errors) while the page loaded, one
 * finding per distinct message (numbers folded), at most `MAX_CONSOLE_FINDINGS` a page. Not findings: a
 * message matching one of `settings.ignoreConsole`, one from a `THIRD_PARTY_NOISE_HOSTS` script, and
 * Chromium's lines on failed resources and mixed content (`failed-request` and `mixed-content` report those).
 */
export const consoleErrorCheck: PageCheck = {
  id: 'console-error',
  watch(page: Page, settings: CheckSettings): CheckWatch {
    const heard = new Map<string, ConsoleError>();
    const onConsole = (message: ConsoleMessage): void => {
      if (message.type() !== 'error' || heard.size >= MAX_CONSOLE_FINDINGS) return;
      const error = consoleError(message, settings);
      if (error !== null && !heard.has(error.subject)) heard.set(error.subject, error);
    };
    page.on('console', onConsole);
    return {
      finish: () => [...heard.values()].map(toFinding),
      stop: () => {
        page.off('console', onConsole);
      },
    };
  },
};

/** The message as a console error, or `null` when it is not a finding. */
function consoleError(message: ConsoleMessage, settings: CheckSettings): ConsoleError | null {
  const text = message.text();
  if (REPORTED_ELSEWHERE.test(text)) return null;
  // `search` neither reads nor moves a global expression's `lastIndex`, so every message is tested whole.
  if (settings.ignoreConsole.some((pattern) => text.search(pattern) !== -1)) return null;
  const { url, lineNumber } = message.location();
  if (isThirdPartyNoise(url)) return null;
  // The text of `console.error(error)` goes on with the error's stack: the first line is the message.
  const first = (text.split('\n', 1)[0] ?? '').trim();
  return {
    subject: normaliseSubject(first === '' ? text : first),
    text: bounded(first === '' ? text.trim() : first),
    location: url === '' ? null : `${url}:${lineNumber + 1}`,
  };
}

/** Whether `url` is on one of `THIRD_PARTY_NOISE_HOSTS` or a subdomain of one. */
export function isThirdPartyNoise(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return THIRD_PARTY_NOISE_HOSTS.some((noisy) => host === noisy || host.endsWith(`.${noisy}`));
}

function toFinding(error: ConsoleError): CheckFinding {
  return {
    rule: 'console-error',
    severity: 'medium',
    title: 'Error in the console',
    message: error.location === null ? error.text : `${error.text} (at ${error.location})`,
    snippet: error.location,
    subject: error.subject,
  };
}

/** `text` cut to `MAX_MESSAGE` characters, with an ellipsis when it was longer. */
function bounded(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
