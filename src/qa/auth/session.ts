import type { BrowserPool } from '../browser/index.js';
import { LoginError } from './errors.js';
import { DEFAULT_LOGIN_TIMEOUT_MS, login, pageKey, type LoginSelectors } from './login.js';
import type { Credentials } from './parse-auth.js';

/** How many times a crawl logs in again, at most, after its first login. */
export const DEFAULT_MAX_RELOGINS = 3;

/** Options of a `LoginSession`. */
export interface LoginSessionOptions {
  /** The pool whose contexts get the session (`setStorageState`). */
  readonly pool: BrowserPool;
  readonly credentials: Credentials;
  readonly selectors?: LoginSelectors;
  /** Logins after the first, at most, so a login that does not hold never loops. @default 3 */
  readonly maxRelogins?: number;
  /** @default DEFAULT_LOGIN_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** What `visitOnce` of `LoginSession.visit` gives: a visit that ended at some URL. */
export interface EndedAt {
  readonly finalUrl: string;
}

/**
 * One login shared by every worker of a crawl: `login` logs in once and gives the storage state to
 * every context of the pool; when a page sends a worker back to the login page (the session ended),
 * `relogin` logs in again, once for every worker that noticed (single-flight), and at most
 * `maxRelogins` times in all.
 */
export class LoginSession {
  readonly #options: LoginSessionOptions;
  readonly #maxRelogins: number;
  /** The login page, and where it redirected to: `pageKey`s. */
  readonly #loginPages = new Set<string>();
  #logins = 0;
  #relogins = 0;
  #inFlight: Promise<void> | undefined;

  constructor(options: LoginSessionOptions) {
    this.#options = options;
    this.#maxRelogins = options.maxRelogins ?? DEFAULT_MAX_RELOGINS;
    this.#loginPages.add(pageKey(options.credentials.loginUrl));
  }

  /** The login page's URL. */
  get loginUrl(): string {
    return this.#options.credentials.loginUrl;
  }

  /** Logins done so far (the first one included): read it before a visit, give it to `relogin` after. */
  get logins(): number {
    return this.#logins;
  }

  /** Logins after the first, so far. */
  get relogins(): number {
    return this.#relogins;
  }

  /** Whether `url` is the login page: the same origin and path (the query ignored) as the login URL, or the page it redirected to. */
  isLoginPage(url: string): boolean {
    const key = pageKey(url);
    return key !== '' && this.#loginPages.has(key);
  }

  /**
   * Logs in (if not logged in yet) and gives the session to every context of the pool.
   * @throws LoginError (`E_LOGIN`), or the signal's reason.
   */
  login(signal: AbortSignal): Promise<void> {
    if (this.#logins > 0) return Promise.resolve();
    return this.#inFlight === undefined ? this.#run(signal) : join(this.#inFlight, signal);
  }

  /**
   * Logs in again because a visit begun after `seenLogins` logins ended at the login page. Nothing
   * happens when a login finished since (the visit's context had the old session); callers that come
   * while a login is under way wait for that one.
   * @throws LoginError when that login fails, or when `maxRelogins` logins after the first were done
   *   already; the signal's reason.
   */
  relogin(seenLogins: number, signal: AbortSignal): Promise<void> {
    if (this.#logins > seenLogins) return Promise.resolve();
    if (this.#inFlight !== undefined) return join(this.#inFlight, signal);
    if (this.#relogins >= this.#maxRelogins) {
      return Promise.reject(
        new LoginError(
          this.loginUrl,
          `The session of ${this.loginUrl} ended again after ${this.#relogins} fresh ${this.#relogins === 1 ? 'login' : 'logins'}: not logging in once more (at most ${this.#maxRelogins} per crawl)`,
        ),
      );
    }
    this.#relogins++;
    return this.#run(signal);
  }

  /**
   * `visitOnce()`, and when it ended at the login page (`url` itself not being it), a login again
   * (`relogin`) and `visitOnce()` once more.
   */
  async visit<T extends EndedAt>(url: string, visitOnce: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const seen = this.#logins;
    const first = await visitOnce();
    if (!this.isLoginPage(first.finalUrl) || this.isLoginPage(url)) return first;
    await this.relogin(seen, signal);
    return visitOnce();
  }

  #run(signal: AbortSignal): Promise<void> {
    const { pool, credentials, selectors } = this.#options;
    const running = (async () => {
      const result = await login({
        pool,
        credentials,
        signal,
        timeoutMs: this.#options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
        ...(selectors === undefined ? {} : { selectors }),
      });
      this.#loginPages.add(pageKey(result.formUrl));
      pool.setStorageState(result.storageState);
      this.#logins++;
    })();
    this.#inFlight = running;
    const clear = (): void => {
      if (this.#inFlight === running) this.#inFlight = undefined;
    };
    void running.then(clear, clear);
    return running;
  }
}

/** `promise`, or the signal's reason as soon as it aborts (the promise goes on for the others). */
function join(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
