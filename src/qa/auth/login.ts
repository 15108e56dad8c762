import type { BrowserContext, Locator, Page } from 'playwright-core';
import { TimeoutError, withTimeout } from '../../core/index.js';
import type { BrowserPool, StorageState } from '../browser/index.js';
import { LoginError, redact } from './errors.js';
import { LOGIN_MARK, markLoginForm } from './login-form.js';
import type { Credentials } from './parse-auth.js';

/** How long a login may take, by default: loading the form, filling it, and the answer to it. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 30_000;
/** How long closing the login's context may take. */
const CLOSE_MS = 2_000;

/** Selectors (Playwright's: CSS, or `text=…` and the like) for what the form detection gets wrong. */
export interface LoginSelectors {
  readonly usernameSelector?: string;
  readonly passwordSelector?: string;
  readonly submitSelector?: string;
}

/** Options of `login`. */
export interface LoginOptions {
  /** The browser to log in with: a context of its own (`openContext`), closed after. */
  readonly pool: BrowserPool;
  readonly credentials: Credentials;
  readonly selectors?: LoginSelectors;
  /** @default DEFAULT_LOGIN_TIMEOUT_MS */
  readonly timeoutMs?: number;
  readonly signal: AbortSignal;
}

/** What a login gives. */
export interface LoginResult {
  /** The cookies and local storage of the logged-in context, for every context of the pool. */
  readonly storageState: StorageState;
  /** The URL the form was at (the login URL, or where it redirected to). */
  readonly formUrl: string;
  /** Where the browser was once the form was answered. */
  readonly landedUrl: string;
}

/**
 * Logs in once through the site's form, in a fresh context of the pool's browser: opens the login
 * page, fills the user name and password fields, submits (the submit control, else the form's
 * `requestSubmit`, else Enter in the password field), waits for the answer, and takes the context's storage state. Fields and control are
 * found as `markLoginForm` says, unless a selector is given. The login worked when the browser left the
 * login page, shows no password field, and the answer was no 4xx or 5xx.
 * @throws LoginError (`E_LOGIN`) naming the login URL and what went wrong, never the password; the
 *   signal's reason when it aborts.
 */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const { credentials, signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  const { loginUrl } = credentials;
  if (signal.aborted) throw signal.reason;
  const deadline = withTimeout(
    signal,
    timeoutMs,
    () => new TimeoutError(`Logging in at ${loginUrl} took longer than ${timeoutMs} ms`, timeoutMs),
  );
  let context: BrowserContext | undefined;
  try {
    context = await options.pool.openContext();
    context.setDefaultTimeout(timeoutMs);
    const page = await context.newPage();
    const stop = (): void => void page.close().catch(() => undefined);
    deadline.signal.addEventListener('abort', stop, { once: true });
    try {
      return await loginIn(page, options);
    } finally {
      deadline.signal.removeEventListener('abort', stop);
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (deadline.signal.aborted) throw new LoginError(loginUrl, (deadline.signal.reason as Error).message);
    if (error instanceof LoginError) throw error;
    const message = error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error);
    throw new LoginError(
      loginUrl,
      redact(`Logging in at ${loginUrl} failed: ${message}`, [credentials.password]),
    );
  } finally {
    deadline.dispose();
    if (context !== undefined) await settle(context.close(), CLOSE_MS);
  }
}

/** The login itself, in `page`. */
async function loginIn(page: Page, options: LoginOptions): Promise<LoginResult> {
  const { credentials, selectors = {} } = options;
  const { loginUrl } = credentials;
  const fail = (why: string): LoginError =>
    new LoginError(loginUrl, `Logging in at ${loginUrl} failed: ${why}`);
  /** The status of the main frame's last document. */
  const last: { status?: number } = {};
  page.on('response', (response) => {
    try {
      const request = response.request();
      if (request.isNavigationRequest() && request.frame() === page.mainFrame())
        last.status = response.status();
    } catch {
      // A service worker's request has no frame.
    }
  });

  const opened = await page.goto(loginUrl, { waitUntil: 'load' });
  if (opened !== null && opened.status() >= 400) throw fail(`the login page answered ${opened.status()}`);
  const formUrl = page.url();

  const password = await field(page, selectors.passwordSelector, 'input[type=password]:visible');
  if (password === undefined) {
    throw fail(
      selectors.passwordSelector === undefined
        ? 'found no password field on the login page (give --password-selector)'
        : '--password-selector matches nothing on the login page',
    );
  }
  const found = await password.evaluate(markLoginForm, {
    username: selectors.usernameSelector === undefined,
    submit: selectors.submitSelector === undefined,
  });
  const username = await field(
    page,
    selectors.usernameSelector,
    found.username ? `[${LOGIN_MARK}=username]` : undefined,
  );
  if (username === undefined) {
    throw fail(
      selectors.usernameSelector === undefined
        ? 'found no user name field on the login page (give --username-selector)'
        : '--username-selector matches nothing on the login page',
    );
  }
  const submit = await field(
    page,
    selectors.submitSelector,
    found.submit ? `[${LOGIN_MARK}=submit]` : undefined,
  );
  if (submit === undefined && selectors.submitSelector !== undefined) {
    throw fail('--submit-selector matches nothing on the login page');
  }

  await username.fill(credentials.username);
  await password.fill(credentials.password);
  delete last.status;
  // Half the time for the answer: a form that answers without navigating is told from one that hangs.
  const answered = page.waitForEvent('framenavigated', {
    predicate: (frame) => frame === page.mainFrame(),
    timeout: Math.max(1, Math.floor((options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS) / 2)),
  });
  answered.catch(() => undefined);
  if (submit !== undefined) await submit.click();
  // A form without a submit control: Enter submits none with two fields, requestSubmit does.
  else if (await password.evaluate(inForm)) await password.evaluate(submitForm);
  else await password.press('Enter');
  try {
    await answered;
  } catch {
    // No navigation in time (a script's login that only shows an error): the checks below say what failed.
  }
  await page.waitForLoadState('load');

  const landedUrl = page.url();
  if (samePage(landedUrl, loginUrl) || samePage(landedUrl, formUrl)) {
    throw fail('the browser is still at the login page after submitting the form (wrong user or password?)');
  }
  const answer = statusOf(last);
  if (answer !== undefined && answer >= 400)
    throw fail(`the answer to the form was ${answer} (${landedUrl})`);
  const stillAsks = await page.locator(selectors.passwordSelector ?? 'input[type=password]:visible').count();
  if (stillAsks > 0) throw fail(`${landedUrl} still asks for a password (wrong user or password?)`);
  return { storageState: await page.context().storageState(), formUrl, landedUrl };
}

/** Whether the field is in a form (runs in the page). */
function inForm(field: { readonly form: unknown }): boolean {
  return field.form !== null;
}

/** Submits the field's form as its submit button would: `submit` handlers run (runs in the page). */
function submitForm(field: { readonly form: { requestSubmit(): void } | null }): void {
  field.form?.requestSubmit();
}

/** What the response listener set (read through a call: the compiler cannot see a listener's writes). */
function statusOf(last: { status?: number }): number | undefined {
  return last.status;
}

/** The first element `selector` (else `fallback`) matches, or `undefined`. */
async function field(
  page: Page,
  selector: string | undefined,
  fallback: string | undefined,
): Promise<Locator | undefined> {
  const chosen = selector ?? fallback;
  if (chosen === undefined) return undefined;
  const locator = page.locator(chosen).first();
  return (await locator.count()) > 0 ? locator : undefined;
}

/** Whether two URLs name the same page: origin and path, the query and a trailing `/` aside. */
export function samePage(a: string, b: string): boolean {
  return pageKey(a) === pageKey(b);
}

/** `origin + path` without a trailing `/`, or `''` for what is not a URL. */
export function pageKey(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '';
  }
}

function settle(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        resolve();
      });
  });
}
