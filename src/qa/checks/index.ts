import { InvalidArgumentError } from '../../core/index.js';
import { brokenLinkCheck } from './broken-link.js';
import { CHECK_IDS, type CheckId, type PageCheck } from './check.js';
import { keyboardCheck } from './keyboard.js';
import { accessibilityCheck } from './accessibility.js';
import { formsCheck } from './forms.js';
import { imagesCheck } from './images.js';
import { seoBasicsCheck } from './seo-basics.js';
import { consoleErrorCheck } from './console-error.js';
import { failedRequestCheck } from './failed-request.js';
import { mixedContentCheck } from './mixed-content.js';
import { pageErrorCheck } from './page-error.js';
import { performanceCheck } from './performance.js';

export * from './check.js';
export {
  brokenLinkCheck,
  findMissingAnchors,
  MAX_ANCHOR_FINDINGS,
  type MissingAnchor,
} from './broken-link.js';
export {
  LinkChecker,
  MAX_LINK_REQUESTS,
  type LinkCheckerOptions,
  type LinkStatusCache,
} from './link-checker.js';
export {
  LINK_TIMEOUT_MS,
  MAX_REDIRECTS,
  requestLink,
  RETRY_WITHOUT_AFTER_MS,
  type LinkRequestOptions,
  type LinkStatus,
} from './link-request.js';
export { consoleErrorCheck, MAX_CONSOLE_FINDINGS, THIRD_PARTY_NOISE_HOSTS } from './console-error.js';
export { failedRequestCheck, MAX_LISTED_RESOURCES } from './failed-request.js';
export { MAX_MIXED_CONTENT_FINDINGS, mixedContentCheck } from './mixed-content.js';
export { MAX_PAGE_ERROR_FINDINGS, pageErrorCheck } from './page-error.js';
export { budgetFindings, performanceCheck, readPerformance, type PerformanceMetrics } from './performance.js';
export {
  elementSelector,
  selectorBuilder,
  withSelectorBuilder,
  type ElementSelector,
  type SelectorElement,
} from './dom-selector.js';
export {
  fingerprintOf,
  normaliseSelector,
  normaliseSubject,
  urlTemplate,
  type FingerprintParts,
} from './fingerprint.js';
export { CHECK_TIMEOUT_MS, checkFinding, PageProbe, type PageProbeOptions } from './page-probe.js';
export {
  MAX_SCREENSHOTS_PER_PAGE,
  SCREENSHOTS_FOLDER,
  ScreenshotTaker,
  type ScreenshotOptions,
} from './screenshots.js';

/**
 * The checks that look at a loaded page, by id. `http-status` reads the visit itself (`http-status.ts`),
 * and `broken-link`'s requests run beside the page (the crawl's link checker).
 */
const PAGE_CHECKS: Partial<Record<CheckId, PageCheck>> = {
  'console-error': consoleErrorCheck,
  'page-error': pageErrorCheck,
  'failed-request': failedRequestCheck,
  'broken-link': brokenLinkCheck,
  accessibility: accessibilityCheck,
  forms: formsCheck,
  keyboard: keyboardCheck,
  'mixed-content': mixedContentCheck,
  images: imagesCheck,
  'seo-basics': seoBasicsCheck,
  performance: performanceCheck,
};

/** The page checks of `ids`, in `CHECK_IDS` order. */
export function pageChecks(ids: ReadonlySet<CheckId>): PageCheck[] {
  return CHECK_IDS.flatMap((id) => {
    const check = PAGE_CHECKS[id];
    return check !== undefined && ids.has(id) ? [check] : [];
  });
}

/** Whether `id` names a check. */
export function isCheckId(id: string): id is CheckId {
  return (CHECK_IDS as readonly string[]).includes(id);
}

/**
 * The checks a run does: `checks` (every check when absent), less `skip`, in `CHECK_IDS` order.
 * @throws InvalidArgumentError naming an id that is no check (`checks: unknown check "a11y"; …`), or
 *   when nothing is left.
 */
export function selectChecks(checks?: readonly string[], skip: readonly string[] = []): CheckId[] {
  for (const [field, ids] of [
    ['checks', checks ?? []],
    ['skip', skip],
  ] as const) {
    const unknown = ids.find((id) => !isCheckId(id));
    if (unknown !== undefined) {
      throw new InvalidArgumentError(
        `${field}: unknown check ${JSON.stringify(unknown)}; the checks are ${CHECK_IDS.join(', ')}`,
      );
    }
  }
  const chosen = new Set(checks ?? CHECK_IDS);
  for (const id of skip) chosen.delete(id);
  const selected = CHECK_IDS.filter((id) => chosen.has(id));
  if (selected.length === 0) throw new InvalidArgumentError('skip: no check is left to run');
  return selected;
}
