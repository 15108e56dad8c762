/*
 * The in-page side of `performance`: the browser's own performance entries of the document. It runs in
 * the page (`page.evaluate`), so it is self-contained (no imports, no named inner functions: a bundler may
 * wrap those in helpers the page does not have) and typed through the little of the DOM it uses (the
 * project's types have no DOM library). Its observer is disconnected before it answers.
 */

/** What `measurePerformance` read; `null` for what the browser did not say. */
export interface PerformanceReading {
  /** Navigation start to the end of the load event (Navigation Timing), in milliseconds. */
  readonly loadMs: number | null;
  /** The last `largest-contentful-paint` entry's time, in milliseconds; `null` when there was none. */
  readonly lcpMs: number | null;
  /** The largest session window of layout shifts; `null` when the browser reports no layout shifts. */
  readonly cls: number | null;
}

interface TimingEntry {
  readonly entryType: string;
  readonly startTime: number;
  readonly loadEventEnd?: number;
  /** A layout shift's score. */
  readonly value?: number;
  /** A layout shift within 500 ms of input: not counted. */
  readonly hadRecentInput?: boolean;
}

interface EntryObserver {
  observe(options: { type: string; buffered: boolean }): void;
  takeRecords(): TimingEntry[];
  disconnect(): void;
}

interface PerformanceGlobals {
  readonly performance: { getEntriesByType(type: string): ArrayLike<TimingEntry> };
  readonly PerformanceObserver?: {
    new (callback: (list: { getEntries(): TimingEntry[] }) => void): EntryObserver;
    readonly supportedEntryTypes?: readonly string[];
  };
  requestAnimationFrame(callback: () => void): number;
  setTimeout(callback: () => void, ms: number): number;
}

/**
 * Reads the load time, the Largest Contentful Paint and the Cumulative Layout Shift of the document.
 * Entries of those two come to an observer asynchronously, the buffered ones too: it waits two animation
 * frames (or `waitMs`, for a page that draws none) before it counts them, and for an LCP entry when none
 * came by then (at most `waitMs` in all: a page with nothing to paint has none). CLS is counted as Core Web
 * Vitals do: shifts without recent input, in session windows (a gap under 1 s, at most 5 s long), the
 * largest window's sum.
 */
export function measurePerformance(waitMs: number): Promise<PerformanceReading> {
  const global = globalThis as unknown as PerformanceGlobals;
  const timing = global.performance.getEntriesByType('navigation')[0];
  const loadEnd = timing?.loadEventEnd ?? 0;
  const loadMs = timing !== undefined && loadEnd > 0 ? Math.round(loadEnd - timing.startTime) : null;
  const supported = global.PerformanceObserver?.supportedEntryTypes ?? [];
  const entries: TimingEntry[] = [];
  // Set once two frames are drawn and no LCP entry came yet: the observer calls it when one comes.
  let lcpWaiter: (() => void) | null = null;
  let observer: EntryObserver | null = null;
  if (global.PerformanceObserver !== undefined) {
    try {
      observer = new global.PerformanceObserver((list) => {
        entries.push(...list.getEntries());
        if (lcpWaiter !== null && entries.some((entry) => entry.entryType === 'largest-contentful-paint')) {
          lcpWaiter();
        }
      });
      for (const type of ['largest-contentful-paint', 'layout-shift']) {
        if (supported.includes(type)) observer.observe({ type, buffered: true });
      }
    } catch {
      observer = null;
    }
  }
  const wantsLcp = observer !== null && supported.includes('largest-contentful-paint');
  return new Promise<void>((wake) => {
    global.setTimeout(wake, waitMs);
    // Two frames, then the LCP entry if none came yet: a busy machine can paint after the frames (and a
    // page with nothing to paint has none: the wait then ends at `waitMs`).
    global.requestAnimationFrame(() =>
      global.requestAnimationFrame(() => {
        if (!wantsLcp || entries.some((entry) => entry.entryType === 'largest-contentful-paint')) wake();
        else lcpWaiter = wake;
      }),
    );
  }).then(() => {
    if (observer !== null) {
      entries.push(...observer.takeRecords());
      observer.disconnect();
    }
    let lcpMs: number | null = null;
    const shifts: TimingEntry[] = [];
    for (const entry of entries) {
      if (entry.entryType === 'largest-contentful-paint') {
        lcpMs = lcpMs === null ? entry.startTime : Math.max(lcpMs, entry.startTime);
      } else if (entry.entryType === 'layout-shift' && entry.hadRecentInput !== true) {
        shifts.push(entry);
      }
    }
    shifts.sort((a, b) => a.startTime - b.startTime);
    let largest = 0;
    let session = 0;
    let first = 0;
    let last = 0;
    for (const shift of shifts) {
      if (session > 0 && shift.startTime - last < 1_000 && shift.startTime - first < 5_000) {
        session += shift.value ?? 0;
      } else {
        session = shift.value ?? 0;
        first = shift.startTime;
      }
      last = shift.startTime;
      largest = Math.max(largest, session);
    }
    return {
      loadMs,
      lcpMs: lcpMs === null ? null : Math.round(lcpMs),
      cls: supported.includes('layout-shift') ? Math.round(largest * 10_000) / 10_000 : null,
    };
  });
}
