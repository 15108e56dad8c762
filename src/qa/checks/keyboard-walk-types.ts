/*
 * What the two sides of the `keyboard` check's Tab walk (docs/qa.md, "Keyboard") exchange: the Node side
 * (`keyboard.ts`) and the in-page side (`keyboard-page.ts`).
 */

/** How many of a page's focusable elements get a selector, a snippet and an unfocused style up front. */
export const MAX_LISTED_DETAILS = 200;

/** The computed style properties compared, focused against unfocused: any difference is a visible focus. */
export const FOCUS_STYLE_PROPERTIES: readonly string[] = [
  'outline-style',
  'outline-width',
  'outline-color',
  'outline-offset',
  'box-shadow',
  'border-top-style',
  'border-right-style',
  'border-bottom-style',
  'border-left-style',
  'border-top-width',
  'border-right-width',
  'border-bottom-width',
  'border-left-width',
  'border-top-color',
  'border-right-color',
  'border-bottom-color',
  'border-left-color',
  'background-color',
  'background-image',
  'color',
  'text-decoration-line',
  'text-decoration-style',
  'text-decoration-color',
  'text-decoration-thickness',
  'text-shadow',
  'font-weight',
  'opacity',
  'filter',
  'transform',
  'translate',
  'scale',
  // A skip link shown on focus moves into view: its place and clip change, not its colours.
  'position',
  'left',
  'top',
  'clip',
  'clip-path',
  'width',
  'height',
  'visibility',
  'content',
  'display',
];

/** A focusable element of the page as the walk lists it before the first Tab. */
export interface ListedElement {
  /**
   * `null` past the first `MAX_LISTED_DETAILS` elements: a page with that many has more stops than a walk
   * presses Tab for (`MAX_TAB_PRESSES`), unless most are widgets out of the Tab order.
   */
  readonly selector: string | null;
  readonly snippet: string | null;
  /** Whether Tab should stop on it; `false` for a widget role (`role=button`) that is not in the Tab order. */
  readonly tabbable: boolean;
  /** The widget role of an element not in the Tab order (`button`), else `null`. */
  readonly role: string | null;
  /** For a radio button: the index of its group's first listed radio (Tab stops once per group); else its own. */
  readonly group: number;
}

/** One stop of the walk: where focus was after a Tab. */
export interface TabStop {
  /** Focus is on the document itself (the body), or has left the page for the browser. */
  readonly body: boolean;
  /**
   * Focus left the page for the browser since the last stop (the window's `blur` with no frame of the
   * page focused), though it may be back already: headless Chromium sometimes hands focus straight
   * back to the first element, so the body is not always seen between the last element and the first.
   */
  readonly left: boolean;
  /** The element's index among the elements the walk reached (in the order first reached); -1 on the body. */
  readonly key: number;
  /** Its index among the listed elements, or -1 when it was not listed. */
  readonly listed: number;
  /** Set the first time the element is reached (else `null`). */
  readonly selector: string | null;
  readonly snippet: string | null;
  /**
   * Whether Tab may stop on it several times in a row: a frame (the stops are in its document), a media
   * element's controls, a date or time input's fields, a custom element whose shadow root is closed.
   */
  readonly composite: boolean;
  /** A frame, whose focus indicator is in its own document: never judged for `focus-not-visible`. */
  readonly frame: boolean;
}

/** What one call of `tabWalkInPage` answers. */
export interface TabWalkReply {
  /**
   * `start`: the elements that should be reachable: the tabbable ones in Tab order (positive `tabindex`
   * first, then document order), then the widget roles out of the Tab order.
   */
  readonly listed: readonly ListedElement[];
  /** `start`: how many of them may take several stops (frames, media, date inputs). */
  readonly composites: number;
  /** `read`: where focus is. */
  readonly stop: TabStop | null;
  /**
   * `end`: for each reached element (by key), whether its focused style differed from its unfocused
   * one at some stop; `null` when it was not judged (a frame, or an element no longer in the page).
   */
  readonly visible: readonly (boolean | null)[];
}

/** What the Node side passes: the phase, the state object (a handle, empty before `start`) and the settings. */
export interface TabWalkRequest {
  readonly phase: 'start' | 'read' | 'end';
  readonly state: TabWalkState;
  /** `FOCUS_STYLE_PROPERTIES` (the page cannot import it). */
  readonly properties: readonly string[];
  /** `MAX_LISTED_DETAILS`. */
  readonly maxDetails: number;
}

/** The walk's state, kept in the page between calls (opaque to the Node side). */
export interface TabWalkState {
  listed?: WalkElement[];
  /** The unfocused style of each listed element (`null` when not taken). */
  baseline?: (string | null)[];
  seen?: WalkElement[];
  /** Per reached element: its unfocused style when known. */
  seenBaseline?: (string | null)[];
  /** Per reached element: the focused styles read, while none differed yet. */
  seenFocused?: string[][];
  seenVisible?: boolean[];
  /** Scroll positions to put back: the window's first, then the scrolled containers of listed elements. */
  scrolls?: { box: WalkElement | null; top: number; left: number }[];
  /** How many times focus left the page since the last stop. */
  leaves?: number;
  /** Aborts the walk's one listener (the window's `blur`) at the end. */
  listening?: { abort(): void };
}

/** The little of the DOM the walk uses (the project's types have no DOM library). */
export interface WalkElement {
  readonly localName: string;
  readonly id: string;
  readonly tabIndex: number;
  readonly isConnected: boolean;
  readonly isContentEditable: boolean;
  readonly textContent: string | null;
  readonly parentElement: WalkElement | null;
  readonly nextElementSibling: WalkElement | null;
  readonly previousElementSibling: WalkElement | null;
  readonly shadowRoot: { readonly activeElement: WalkElement | null } | null;
  readonly attributes: ArrayLike<{ readonly name: string; readonly value: string }>;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  scrollTop: number;
  scrollLeft: number;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  matches(selectors: string): boolean;
  closest(selectors: string): WalkElement | null;
  contains(other: WalkElement): boolean;
  querySelector(selectors: string): WalkElement | null;
  getClientRects(): ArrayLike<unknown>;
  checkVisibility?(options: Record<string, boolean>): boolean;
  getRootNode(): { readonly host?: WalkElement };
  getAnimations(options: { subtree: boolean }): ArrayLike<{
    readonly playState: string;
    readonly transitionProperty?: string;
  }>;
  blur(): void;
}
