import type { JSHandle, Page } from 'playwright-core';
import { abortable } from '../browser/abortable.js';
import { tabWalkInPage } from './keyboard-page.js';
import {
  FOCUS_STYLE_PROPERTIES,
  MAX_LISTED_DETAILS,
  type ListedElement,
  type TabWalkReply,
  type TabWalkRequest,
  type TabWalkState,
} from './keyboard-walk-types.js';

/*
 * The Tab walk of the `keyboard` check (docs/qa.md, "Keyboard"): Tab pressed again and again from a
 * blurred page, reading where focus went after each press, until focus comes back round (a full cycle),
 * sticks, or the bound is reached. Only Tab is pressed: never Enter, Space or a character, never a click.
 */

/** The most Tab presses one walk makes, however many elements the page has. */
export const MAX_TAB_PRESSES = 150;
/** Presses past one per expected stop: the stop on the body when focus leaves the page, and a few more. */
export const TAB_SLACK = 10;
/** Presses more per element that takes several stops (a frame's links, a video's controls, a date's fields). */
export const COMPOSITE_SLACK = 10;
/** Tab presses that leave focus on the same element, in a row, before it counts as a trap. */
export const STUCK_PRESSES = 3;

/** How many presses a walk may make: one per expected stop, plus slack, at most `MAX_TAB_PRESSES`. */
export function tabWalkBound(stops: number, composites: number): number {
  return Math.min(MAX_TAB_PRESSES, stops + TAB_SLACK + COMPOSITE_SLACK * composites);
}

/** An element the walk reached. */
export interface ReachedElement {
  readonly selector: string;
  readonly snippet: string;
  /** Its index among the listed elements, or -1 when it was not listed (a shadow root's, say). */
  readonly listed: number;
  /**
   * Whether its focused style differed from its unfocused one at some stop; `null` when it was not
   * judged: a frame (its indicator is in its own document), or an element gone from the page.
   */
  readonly visible: boolean | null;
}

/** Where focus stuck: the element (`key`, or -1 for the body) and, for a cycle, the keys of the cycle. */
export interface TabTrap {
  readonly kind: 'stuck' | 'cycle';
  readonly key: number;
  readonly cycle: readonly number[];
}

/** What a walk found. */
export interface TabWalk {
  /** The elements that should be reachable, in Tab order, then the widget roles not in the Tab order. */
  readonly listed: readonly ListedElement[];
  /** The elements reached, by key (in the order first reached). */
  readonly reached: readonly ReachedElement[];
  /** The listed elements reached (a radio group counts as reached at its first button's index). */
  readonly reachedListed: ReadonlySet<number>;
  /** `cycle`: focus came back round, the walk is complete; `bound`: it ran out of presses; `trap`: focus stuck. */
  readonly end: 'cycle' | 'bound' | 'trap';
  readonly trap: TabTrap | null;
  /** The expected stops (tabbable elements, one per radio group) not reached. */
  readonly unreached: number;
  readonly presses: number;
  readonly bound: number;
}

/** The key of the body (or of focus having left the page) among the walk's stops. */
const BODY = -1;

/**
 * Walks `page`'s Tab order: blurs, lists the elements that should be reachable with their unfocused
 * style, presses Tab up to `tabWalkBound` times, then blurs again and scrolls back where it was, even
 * when it fails. A complete walk ends when an element is reached again after focus went through the
 * body (the browser wrapped round), or when focus comes back round every expected stop without it.
 * @throws the signal's reason when it aborts (the page is put back in the background).
 */
export async function walkTabOrder(page: Page, signal: AbortSignal): Promise<TabWalk> {
  if (signal.aborted) throw signal.reason;
  const state = await abortable(
    page.evaluateHandle((): TabWalkState => ({})),
    signal,
  );
  let ended = false;
  try {
    const { listed, composites } = await call(page, 'start', state, signal);
    const stops = listed.filter((one, i) => one.tabbable && one.group === i).length;
    let unreached = stops;
    const bound = tabWalkBound(stops, composites);
    /** The expected stop (radio group) of each key reached, when it is one. */
    const stopOf = new Map<number, number>();
    const found: Omit<ReachedElement, 'visible'>[] = [];
    const reachedListed = new Set<number>();
    const lastVisit = new Map<number, number>();
    const order: number[] = [];
    let lastBody = -1;
    let previous: number | undefined;
    let still = 0;
    let end: TabWalk['end'] = 'bound';
    let trap: TabTrap | null = null;
    let presses = 0;
    while (presses < bound) {
      if (signal.aborted) throw signal.reason;
      await abortable(page.keyboard.press('Tab'), signal);
      presses++;
      const { stop } = await call(page, 'read', state, signal);
      if (stop === null) continue;
      const key = stop.body ? BODY : stop.key;
      if (key !== BODY && found[key] === undefined) {
        found[key] = { selector: stop.selector ?? 'body', snippet: stop.snippet ?? '', listed: stop.listed };
      }
      // Focus that left the page and came back has been round, though it may stand where it was.
      if (stop.left) lastBody = presses;
      if (key === previous && (key === BODY || !stop.left)) {
        // A frame or a video takes several stops that all show as the element itself.
        if (stop.composite) continue;
        if (++still < STUCK_PRESSES) continue;
        // The body that keeps focus with nothing left to reach is a page with nothing to focus.
        if (key === BODY && unreached === 0) end = 'cycle';
        else [end, trap] = ['trap', { kind: 'stuck', key, cycle: [key] }];
        break;
      }
      still = 0;
      previous = key;
      if (key === BODY) {
        lastBody = presses;
        continue;
      }
      const entry = stop.listed < 0 ? undefined : listed[stop.listed];
      if (entry !== undefined) {
        const at = entry.tabbable ? entry.group : stop.listed;
        if (entry.tabbable) stopOf.set(key, at);
        if (!reachedListed.has(at)) {
          reachedListed.add(at);
          if (entry.tabbable) unreached--;
        }
      }
      const before = lastVisit.get(key);
      lastVisit.set(key, presses);
      if (before !== undefined) {
        // Back through the body: the browser wrapped round. Back without it, round every expected stop:
        // the page wraps focus itself, the whole page is its cycle. Otherwise focus circles in a part
        // of the page (some stops never reached, or reached before and out of reach now).
        const cycle = order.slice(order.indexOf(key));
        const covered = new Set(cycle.flatMap((one) => stopOf.get(one) ?? []));
        if (lastBody > before || covered.size === stops) end = 'cycle';
        else [end, trap] = ['trap', { kind: 'cycle', key, cycle }];
        break;
      }
      order.push(key);
    }
    const { visible } = await call(page, 'end', state, signal);
    ended = true;
    const reached = found.map((one, key) => ({ ...one, visible: visible[key] ?? null }));
    return { listed, reached, reachedListed, end, trap, unreached, presses, bound };
  } finally {
    // Put the page back even when the walk failed or was stopped, without waiting on a page gone.
    const cleanup = ended ? Promise.resolve() : call(page, 'end', state, new AbortController().signal);
    void cleanup
      .catch(() => undefined)
      .finally(() => state.dispose())
      .catch(() => undefined);
  }
}

/** One phase of the walk in the page. */
function call(
  page: Page,
  phase: TabWalkRequest['phase'],
  state: JSHandle<TabWalkState>,
  signal: AbortSignal,
): Promise<TabWalkReply> {
  return abortable(
    page.evaluate(tabWalkInPage, {
      phase,
      state,
      properties: FOCUS_STYLE_PROPERTIES,
      maxDetails: MAX_LISTED_DETAILS,
    }),
    signal,
  );
}
