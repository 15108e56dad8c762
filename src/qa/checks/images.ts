import type { CheckFinding, PageCheck } from './check.js';
import { withSelectorBuilder, type ElementSelector, type SelectorElement } from './dom-selector.js';

/*
 * `images` (docs/qa.md, "Checks"): the page's images that did not load. An image is judged only once the
 * browser is done with it (`complete`): a lazy image (`loading="lazy"`) below the fold that the browser
 * has not fetched yet is neither broken nor fine, and gives no finding; the page that scrolls to it is
 * not this check's to test. An image the browser fetched and could not show (an error answer, a file
 * that is no image) is broken; an SVG with no size of its own is not (it decodes).
 */

/** The most broken images one page reports; when it had more, each finding says how many. */
export const MAX_BROKEN_IMAGES = 50;
/** The longest snippet, in characters. */
const MAX_SNIPPET = 300;

/** An image that did not load, as `readBrokenImages` gives it. */
export interface BrokenImage {
  /** The image's URL, resolved (the one of `srcset` the browser chose, when it has one). */
  readonly src: string;
  readonly selector: string;
  readonly snippet: string;
  /** The HTTP status of the image's answer, when the browser's resource timing tells it. */
  readonly status: number | null;
  /** How many broken images the page has (more than are given when over the bound). */
  readonly total: number;
}

/** The little of the DOM `readBrokenImages` uses (the project's types have no DOM library). */
interface ImageElement extends SelectorElement {
  readonly complete: boolean;
  readonly naturalWidth: number;
  readonly currentSrc: string;
  readonly src: string;
  readonly outerHTML: string;
  getAttribute(name: string): string | null;
  decode(): Promise<void>;
}

interface ImageGlobals {
  readonly document: { querySelectorAll(selectors: string): ArrayLike<ImageElement> };
  readonly performance: {
    getEntriesByName(name: string): ArrayLike<{ readonly responseStatus?: number }>;
  };
}

/**
 * The broken images of the document it runs in, at most `max`: an `<img>` with a `src` or `srcset`
 * that the browser is done with (`complete`) and has no picture (`naturalWidth` 0) that it cannot
 * decode either. Runs in the page (`page.evaluate`), self-contained, with no named inner functions; it
 * gets the selector builder of `dom-selector.ts` as an argument. It changes nothing in the page.
 */
async function readBrokenImages(options: {
  readonly selectorOf: ElementSelector;
  readonly max: number;
  readonly maxSnippet: number;
}): Promise<BrokenImage[]> {
  const { document, performance } = globalThis as unknown as ImageGlobals;
  const candidates = Array.from(document.querySelectorAll('img')).filter(
    (image) =>
      ((image.getAttribute('src') ?? '').trim() !== '' ||
        (image.getAttribute('srcset') ?? '').trim() !== '') &&
      image.complete &&
      image.naturalWidth === 0,
  );
  // `decode()` rejects for an image that is broken, and resolves for one that merely has no width (an
  // SVG without a size of its own); it fetches nothing more for an image that is complete.
  const broken = (
    await Promise.all(
      candidates.map((image) =>
        image.decode().then(
          () => null,
          () => image,
        ),
      ),
    )
  ).filter((image) => image !== null);
  return broken.slice(0, options.max).map((image) => {
    const src = image.currentSrc || image.src;
    const status = Array.from(performance.getEntriesByName(src)).at(-1)?.responseStatus ?? 0;
    const html = image.outerHTML;
    return {
      src,
      selector: options.selectorOf(image),
      snippet: html.length > options.maxSnippet ? `${html.slice(0, options.maxSnippet - 1)}…` : html,
      status: status > 0 ? status : null,
      total: broken.length,
    };
  });
}

/** The finding of one broken image, saying when the page had more than were kept. */
export function brokenImageFinding(image: BrokenImage, kept: number): CheckFinding {
  const answer = image.status === null ? 'did not load' : `did not load (it answered ${image.status})`;
  const cut =
    image.total > kept
      ? ` (${image.total} images of this page are broken; the first ${kept} are reported.)`
      : '';
  return {
    rule: 'broken-image',
    severity: 'medium',
    title: 'Broken image',
    message: `The image ${image.src} ${answer}: the page shows an empty box or its alt text instead.${cut}`,
    selector: image.selector,
    snippet: image.snippet,
    subject: image.src,
  };
}

/** The `images` check: images the browser fetched and could not show (`broken-image`, medium). */
export const imagesCheck: PageCheck = {
  id: 'images',
  async inspect({ page }) {
    const broken = await withSelectorBuilder(page, (selectorOf) =>
      page.evaluate(readBrokenImages, { selectorOf, max: MAX_BROKEN_IMAGES, maxSnippet: MAX_SNIPPET }),
    );
    return broken.map((image) => brokenImageFinding(image, MAX_BROKEN_IMAGES));
  },
};
