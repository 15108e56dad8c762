import type { Page } from 'playwright-core';
import { TimeoutError, withTimeout } from '../../core/index.js';
import { abortable } from '../browser/abortable.js';
import { firstLine } from '../browser/errors.js';
import type { PageVisit, VisitProbe } from '../browser/index.js';
import { finding, type Finding } from '../report.js';
import type {
  CheckFinding,
  CheckId,
  CheckSettings,
  CheckWatch,
  PageCheck,
  PageCheckContext,
} from './check.js';
import type { ScreenshotTaker } from './screenshots.js';

/** The longest one check may look at one page; past it, the check says so (`check-error`) and the page goes on. */
export const CHECK_TIMEOUT_MS = 30_000;

/** What a `PageProbe` runs. */
export interface PageProbeOptions {
  /** The page's URL in the crawl: its findings' `url`. */
  readonly url: string;
  /** The checks, in `CHECK_IDS` order. */
  readonly checks: readonly PageCheck[];
  readonly settings: CheckSettings;
  /** Takes the screenshots of the findings bad enough to have one. */
  readonly screenshots?: ScreenshotTaker;
  /** @default CHECK_TIMEOUT_MS */
  readonly checkTimeoutMs?: number;
  /** Findings of the visit itself (`http-status`), put first, so they may get a screenshot too. */
  readonly fromVisit?: (visit: PageVisit) => readonly Finding[];
}

/**
 * The checks of one visit, as the visit's probe: each check's `watch` before the navigation, then, once
 * the document loaded, each `finish` and each `inspect`, one at a time, each bounded by `checkTimeoutMs`,
 * then the screenshots. A check that throws or runs out of time does not stop the others: it leaves an
 * `info` finding (`check-error`) that says it could not finish. `findings` has them all.
 */
export class PageProbe implements VisitProbe {
  readonly findings: Finding[] = [];
  /** Whether `inspect` ran: the visit loaded an HTML document. */
  inspected = false;
  readonly #options: PageProbeOptions;
  #watches: { check: PageCheck; watch: CheckWatch }[] = [];

  constructor(options: PageProbeOptions) {
    this.#options = options;
  }

  attach(page: Page): void {
    for (const check of this.#options.checks) {
      if (check.watch === undefined) continue;
      try {
        this.#watches.push({ check, watch: check.watch(page, this.#options.settings) });
      } catch (error) {
        this.#add(check, [checkError(check, error)]);
      }
    }
  }

  async inspect(page: Page, visit: PageVisit, signal: AbortSignal): Promise<void> {
    this.inspected = true;
    this.findings.push(...(this.#options.fromVisit?.(visit) ?? []));
    const watches = this.#watches;
    this.#watches = [];
    for (const { check, watch } of watches) {
      await this.#run(check, page, visit, signal, (context) => watch.finish(context));
      watch.stop();
    }
    for (const check of this.#options.checks) {
      const inspect = check.inspect?.bind(check);
      if (inspect !== undefined) await this.#run(check, page, visit, signal, inspect);
    }
    const screenshots = this.#options.screenshots;
    if (screenshots !== undefined && this.findings.length > 0) {
      const shot = await screenshots.capture(page, this.findings, signal);
      this.findings.splice(0, this.findings.length, ...shot);
    }
  }

  detach(): void {
    for (const { watch } of this.#watches) watch.stop();
    this.#watches = [];
  }

  async #run(
    check: PageCheck,
    page: Page,
    visit: PageVisit,
    signal: AbortSignal,
    work: (context: PageCheckContext) => CheckFinding[] | Promise<CheckFinding[]>,
  ): Promise<void> {
    const timeoutMs = this.#options.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
    const deadline = withTimeout(
      signal,
      timeoutMs,
      () => new TimeoutError(`The ${check.id} check took longer than ${timeoutMs} ms`, timeoutMs),
    );
    const context: PageCheckContext = {
      url: this.#options.url,
      page,
      visit,
      settings: this.#options.settings,
      signal: deadline.signal,
    };
    try {
      this.#add(
        check,
        await abortable(
          Promise.resolve().then(() => work(context)),
          deadline.signal,
        ),
      );
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      this.#add(check, [checkError(check, error)]);
    } finally {
      deadline.dispose();
    }
  }

  #add(check: PageCheck, found: readonly CheckFinding[]): void {
    for (const one of found) this.findings.push(checkFinding(check.id, this.#options.url, one));
  }
}

/** A check's finding on the page at `url`, with its fingerprint and id. */
export function checkFinding(check: CheckId, url: string, one: CheckFinding): Finding {
  return finding({
    check,
    url,
    rule: one.rule,
    severity: one.severity,
    title: one.title,
    message: one.message,
    selector: one.selector ?? null,
    snippet: one.snippet ?? null,
    help_url: one.helpUrl ?? null,
    ...(one.subject === undefined ? {} : { subject: one.subject }),
  });
}

/** The finding of a check that could not look at the page: it says so, it does not pass. */
function checkError(check: PageCheck, error: unknown): CheckFinding {
  return {
    rule: 'check-error',
    severity: 'info',
    title: `The ${check.id} check could not finish`,
    message: firstLine(error),
  };
}
