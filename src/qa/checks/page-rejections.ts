/*
 * The in-page side of `page-error`: an init script that notes the page's unhandled promise rejections,
 * and the function that reads them. Both run in the page, so they are self-contained (no imports, no named
 * inner functions: a bundler may wrap those in helpers the page does not have) and typed through the
 * little of the DOM they use (the project's types have no DOM library).
 */

/** What `recordRejections` is given. */
export interface RecorderOptions {
  /** The `Symbol.for` key of the list it keeps on the page's global object (not enumerable). */
  readonly key: string;
  /** The most rejections one document notes. */
  readonly max: number;
}

/** The recorder's options, as the `page-error` check gives them. */
export const RECORDER: RecorderOptions = { key: 'flotilla.qa.unhandled-rejections', max: 200 };

/** A rejection as Playwright's `pageerror` would give it: the name and message of its reason. */
export interface Rejection {
  readonly name: string;
  readonly message: string;
  /** The page handled it after the browser reported it (`rejectionhandled`): it is no finding then. */
  readonly handledLate: boolean;
}

interface RejectionEvent {
  readonly promise: unknown;
  readonly reason: unknown;
  /** Set once a listener of the page cancelled the event: Chromium then reports no error. */
  readonly defaultPrevented: boolean;
}

/** A rejection as noted, with its event: whether the page cancelled it is known only after its listeners. */
interface Noted {
  readonly event: RejectionEvent;
  readonly name: string;
  readonly message: string;
  handledLate: boolean;
}

interface RecorderGlobals {
  addEventListener(
    type: 'unhandledrejection' | 'rejectionhandled',
    listener: (event: RejectionEvent) => void,
  ): void;
}

/**
 * Notes every `unhandledrejection` of the document it runs in, as an init script (`page.addInitScript`,
 * before the page's own scripts). The reason is described as Chromium describes it to Playwright: an
 * error by its name and message, an array as `Array(2)`, another object by its constructor's name, any
 * other value as its string. The event is kept, so that one the page's own listeners cancel (Chromium
 * then reports nothing) is left out when read, and a `rejectionhandled` marks the rejection the page
 * handled late. It never changes what the page sees of the events. Running twice in one document does
 * nothing more.
 */
export function recordRejections({ key, max }: RecorderOptions): void {
  const global = globalThis as unknown as RecorderGlobals & Record<symbol, Noted[] | undefined>;
  const symbol = Symbol.for(key);
  if (global[symbol] !== undefined) return;
  const noted: Noted[] = [];
  Object.defineProperty(global, symbol, { value: noted, configurable: true, enumerable: false });
  global.addEventListener('unhandledrejection', (event) => {
    if (noted.length >= max) return;
    const reason = event.reason;
    let name = '';
    let message: string;
    if (reason instanceof Error || Object.prototype.toString.call(reason) === '[object Error]') {
      name = String((reason as Error).name);
      message = String((reason as Error).message);
    } else if (Array.isArray(reason)) {
      message = `Array(${reason.length})`;
    } else if (typeof reason === 'object' && reason !== null) {
      const made = (Object.getPrototypeOf(reason) as { constructor?: { name?: unknown } } | null)
        ?.constructor;
      message = typeof made?.name === 'string' && made.name !== '' ? made.name : 'Object';
    } else {
      message = String(reason);
    }
    noted.push({ event, name, message, handledLate: false });
  });
  global.addEventListener('rejectionhandled', (event) => {
    for (const one of noted) if (one.event.promise === event.promise) one.handledLate = true;
  });
}

/**
 * The rejections `recordRejections` noted in this document so far and the page did not cancel, taken
 * (the list is emptied).
 */
export function readRejections(key: string): Rejection[] {
  const noted = (globalThis as unknown as Record<symbol, Noted[] | undefined>)[Symbol.for(key)];
  if (noted === undefined) return [];
  return noted
    .splice(0, noted.length)
    .filter((one) => !one.event.defaultPrevented)
    .map((one) => ({ name: one.name, message: one.message, handledLate: one.handledLate }));
}
