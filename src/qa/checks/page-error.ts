import type { Frame, Page } from 'playwright-core';
import type { CheckFinding, CheckWatch, PageCheck, PageCheckContext } from './check.js';
import { normaliseSubject } from './fingerprint.js';
import { readRejections, RECORDER, recordRejections, type Rejection } from './page-rejections.js';

/*
 * `page-error` (docs/qa.md, "Checks"): the page's scripts failed, an exception nobody caught or a
 * promise rejected with no handler. Playwright's `pageerror` reports both alike (Chromium's "Uncaught
 * (in promise)" is not in what it gives), so an init script in the page notes each `unhandledrejection`
 * (`page-rejections.ts`), and a page error that matches one of them is a rejection.
 */

/** The most `page-error` findings one page gives. */
export const MAX_PAGE_ERROR_FINDINGS = 20;
/** The longest message a finding quotes, in characters. */
const MAX_MESSAGE = 500;
/** Pages the rejection recorder was added to: an init script stays with the page for its next visits. */
const recording = new WeakSet<Page>();

/**
 * The `page-error` check: uncaught exceptions (`uncaught-exception`) and unhandled promise rejections
 * (`unhandled-rejection`), both high, one finding per distinct error (its name and message) and rule,
 * at most `MAX_PAGE_ERROR_FINDINGS` a page. A rejection whose `unhandledrejection` event the page
 * cancels is none, nor is one it handles late (a handler added after the browser reported it).
 */
export const pageErrorCheck: PageCheck = {
  id: 'page-error',
  watch(page: Page): CheckWatch {
    if (!recording.has(page)) {
      recording.add(page);
      // Sent before the navigation, so the document gets it; a failure leaves every error an exception.
      page.addInitScript(recordRejections, RECORDER).catch(() => recording.delete(page));
    }
    const errors: Error[] = [];
    const onError = (error: Error): void => {
      // Ten times the cap leaves room for repeats of one error; past it, nothing new would be said.
      if (errors.length < MAX_PAGE_ERROR_FINDINGS * 10) errors.push(error);
    };
    page.on('pageerror', onError);
    return {
      finish: async (context: PageCheckContext) => classify(errors, await rejectionsOf(context.page)),
      stop: () => {
        page.off('pageerror', onError);
      },
    };
  },
};

/** The rejections every frame of the page noted; a frame that cannot be read has none. */
async function rejectionsOf(page: Page): Promise<Rejection[]> {
  const frames = page.frames().slice(0, 20);
  const found = await Promise.all(
    frames.map((frame: Frame) => frame.evaluate(readRejections, RECORDER.key).catch(() => [])),
  );
  return found.flat();
}

/**
 * The findings of `errors`: an error with the name and message of a noted rejection (or only its message:
 * Playwright names some errors after a `name` property) is that rejection, each rejection matching one;
 * one the page handled late is dropped.
 */
function classify(errors: readonly Error[], rejections: readonly Rejection[]): CheckFinding[] {
  const rejected = new Map<Error, Rejection>();
  for (const rejection of rejections) {
    const match =
      errors.find((e) => !rejected.has(e) && e.message === rejection.message && e.name === rejection.name) ??
      errors.find((e) => !rejected.has(e) && e.message === rejection.message);
    if (match !== undefined) rejected.set(match, rejection);
  }
  const found = new Map<string, CheckFinding>();
  for (const error of errors) {
    if (found.size >= MAX_PAGE_ERROR_FINDINGS) break;
    const rejection = rejected.get(error);
    if (rejection?.handledLate === true) continue;
    const one = toFinding(error, rejection !== undefined);
    const key = `${one.rule}\u0000${normaliseSubject(one.subject ?? '')}`;
    if (!found.has(key)) found.set(key, one);
  }
  return [...found.values()];
}

function toFinding(error: Error, rejection: boolean): CheckFinding {
  const what = error.name === '' ? error.message : `${error.name}: ${error.message}`;
  const frame = error.stack
    ?.split('\n')
    .find((line) => line.startsWith('    at '))
    ?.trim();
  const text = bounded(what);
  return {
    rule: rejection ? 'unhandled-rejection' : 'uncaught-exception',
    severity: 'high',
    title: rejection ? 'Unhandled promise rejection' : 'Uncaught exception',
    message: frame === undefined ? text : `${text} (${frame})`,
    snippet: frame ?? null,
    subject: normaliseSubject(what),
  };
}

/** `text` cut to `MAX_MESSAGE` characters, with an ellipsis when it was longer. */
function bounded(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
