import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { abortable } from '../browser/abortable.js';
import { atLeast, type Finding, type Severity } from '../report.js';

/** The folder of the report that holds the screenshots, and the prefix of a finding's `screenshot`. */
export const SCREENSHOTS_FOLDER = 'screenshots';
/** The most screenshots one page gets. */
export const MAX_SCREENSHOTS_PER_PAGE = 5;
/** How long one screenshot may take. */
const SHOT_TIMEOUT_MS = 10_000;
/** The attribute that marks the element a screenshot highlights, while it is taken. */
const MARK = 'data-flotilla-highlight';

/** Where screenshots go and which findings get one. */
export interface ScreenshotOptions {
  /** The report's folder: screenshots go to `DIR/screenshots/`. */
  readonly dir: string;
  /** Findings this bad or worse get a screenshot; `none` takes none. */
  readonly threshold: Severity | 'none';
}

/**
 * Takes the screenshots of a crawl's findings: one per fingerprint (the same defect on 200 pages is shown
 * once), for findings at or above the threshold, at most `MAX_SCREENSHOTS_PER_PAGE` per page. A finding
 * with an element gets the viewport scrolled to it, the element outlined; one without, the top of the
 * page. Files are `screenshots/0001-accessibility.png`, numbered by a counter the crawl's workers share
 * (claimed before the first `await`, so two workers never take one number), going on after the files a
 * stopped run of the same folder left.
 */
export class ScreenshotTaker {
  readonly #options: ScreenshotOptions;
  readonly #taken = new Set<string>();
  #next: number;

  constructor(options: ScreenshotOptions) {
    this.#options = options;
    this.#next = lastNumber(join(options.dir, SCREENSHOTS_FOLDER)) + 1;
  }

  /** `findings` with `screenshot` set on the ones it took one for; a screenshot that fails is left out. */
  async capture(page: Page, findings: readonly Finding[], signal: AbortSignal): Promise<Finding[]> {
    const { threshold } = this.#options;
    const result = [...findings];
    if (threshold === 'none') return result;
    const chosen: number[] = [];
    for (const [index, one] of findings.entries()) {
      if (chosen.length >= MAX_SCREENSHOTS_PER_PAGE) break;
      if (one.screenshot !== null || !atLeast(one.severity, threshold) || this.#taken.has(one.fingerprint))
        continue;
      this.#taken.add(one.fingerprint);
      chosen.push(index);
    }
    if (chosen.length === 0) return result;
    const folder = join(this.#options.dir, SCREENSHOTS_FOLDER);
    mkdirSync(folder, { recursive: true });
    let whole: string | undefined;
    for (const index of chosen) {
      const one = findings[index]!;
      if (one.selector === null && whole !== undefined) {
        result[index] = { ...one, screenshot: whole };
        continue;
      }
      const name = `${String(this.#next++).padStart(4, '0')}-${one.check}.png`;
      const shot = await this.#take(page, join(folder, name), one.selector, signal);
      if (!shot) continue;
      const relative = `${SCREENSHOTS_FOLDER}/${name}`;
      if (one.selector === null) whole = relative;
      result[index] = { ...one, screenshot: relative };
    }
    return result;
  }

  async #take(page: Page, path: string, selector: string | null, signal: AbortSignal): Promise<boolean> {
    try {
      if (selector === null) {
        await abortable(page.evaluate(scrollToTop), signal);
      } else {
        const marked = await abortable(page.evaluate(highlight, { selector, mark: MARK }), signal);
        if (!marked) return false;
      }
      await abortable(page.screenshot({ path, timeout: SHOT_TIMEOUT_MS, animations: 'disabled' }), signal);
      return true;
    } catch (error) {
      if (signal.aborted) throw error;
      return false;
    } finally {
      if (selector !== null) {
        await page.evaluate(unhighlight, MARK).catch(() => undefined);
      }
    }
  }
}

/** The highest number of the `NNNN-*.png` files in `folder`; 0 when there are none. */
function lastNumber(folder: string): number {
  let files: string[];
  try {
    files = readdirSync(folder);
  } catch {
    return 0;
  }
  let last = 0;
  for (const file of files) {
    const number = /^(\d+)-.*\.png$/.exec(file)?.[1];
    if (number !== undefined) last = Math.max(last, Number(number));
  }
  return last;
}

interface MarkedElement {
  scrollIntoView(options: { block: string; inline: string }): void;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  removeAttribute(name: string): void;
  readonly style: {
    getPropertyValue(name: string): string;
    setProperty(name: string, value: string, priority: string): void;
    removeProperty(name: string): void;
  };
}

interface MarkGlobals {
  readonly document: {
    querySelector(selector: string): MarkedElement | null;
    querySelectorAll(selector: string): ArrayLike<MarkedElement>;
  };
}

/** In the page: back to the top, for a screenshot of the page itself. */
function scrollToTop(): void {
  (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0);
}

/** In the page: outlines the element and scrolls it into view; false when there is no such element. */
function highlight({ selector, mark }: { selector: string; mark: string }): boolean {
  const { document } = globalThis as unknown as MarkGlobals;
  let element: MarkedElement | null = null;
  try {
    element = document.querySelector(selector);
  } catch {
    return false; // a selector the page's engine does not take
  }
  if (element === null) return false;
  element.setAttribute(
    mark,
    JSON.stringify([
      element.style.getPropertyValue('outline'),
      element.style.getPropertyValue('outline-offset'),
    ]),
  );
  element.style.setProperty('outline', '4px solid #e11d48', 'important');
  element.style.setProperty('outline-offset', '2px', 'important');
  element.scrollIntoView({ block: 'center', inline: 'center' });
  return true;
}

/** In the page: takes the outline off what `highlight` marked. */
function unhighlight(mark: string): void {
  const { document } = globalThis as unknown as MarkGlobals;
  const marked = document.querySelectorAll(`[${mark}]`);
  for (let i = 0; i < marked.length; i++) {
    const element = marked[i]!;
    const [outline, offset] = JSON.parse(element.getAttribute(mark) ?? '["",""]') as [string, string];
    element.style.removeProperty('outline');
    element.style.removeProperty('outline-offset');
    if (outline !== '') element.style.setProperty('outline', outline, '');
    if (offset !== '') element.style.setProperty('outline-offset', offset, '');
    element.removeAttribute(mark);
  }
}
