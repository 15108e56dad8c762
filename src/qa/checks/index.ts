import { InvalidArgumentError } from '../../core/index.js';
import { accessibilityCheck } from './accessibility.js';
import { CHECK_IDS, type CheckId, type PageCheck } from './check.js';
import { formsCheck } from './forms.js';
import { imagesCheck } from './images.js';
import { seoBasicsCheck } from './seo-basics.js';

export * from './check.js';
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
  accessibility: accessibilityCheck,
  forms: formsCheck,
  images: imagesCheck,
  'seo-basics': seoBasicsCheck,
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
