import { STATUS_CODES } from 'node:http';
import { Limiter } from '../../core/index.js';
import type { PageLink, PageVisit } from '../browser/index.js';
import type { HostPacer } from '../politeness.js';
import type { Severity } from '../report.js';
import { classifyLink, type Scope } from '../urls/index.js';
import type { CheckFinding, LinkChecking } from './check.js';
import { linkSelector, linkSnippet, quotedText } from './link-markup.js';
import { MAX_REDIRECTS, requestLink, type LinkStatus } from './link-request.js';

/** How many link requests one checker (one crawl) has in flight at most, whatever the hosts. */
export const MAX_LINK_REQUESTS = 4;

/**
 * What each link target answered, by URL (fragment removed): a target found on 100 pages is asked once.
 * A batch gives its runs one, so a link they share is asked once for the batch.
 */
export type LinkStatusCache = Map<string, Promise<LinkStatus>>;

/** What a `LinkChecker` knows of its crawl. */
export interface LinkCheckerOptions {
  /** The crawl's pacer: every request waits for its host's turn there, with the navigations. */
  readonly pacer: HostPacer;
  /** Targets it includes are `broken-internal`; the others are `broken-external`, and never crawled. */
  readonly scope: Scope;
  /** Whether targets out of the scope are checked at all (`--no-external-links`: not). */
  readonly externalLinks: boolean;
  /** Whether robots.txt lets the crawler ask for an in-scope URL. @default everything */
  readonly allowed?: (url: string) => boolean;
  /** The crawl's login page (a redirect there is the session's business, not a broken link). */
  readonly isLoginPage?: (url: string) => boolean;
  /**
   * Whether the crawl's browser gets in as someone (a login, a saved session, `--cookie`, `--header`).
   * The checks carry none of that, so then an in-scope 401, 403 or redirect to the login page says
   * nothing of the link: it is not reported. @default never
   */
  readonly withAccess?: () => boolean;
  /** @default one of its own */
  readonly cache?: LinkStatusCache;
  /** @default MAX_LINK_REQUESTS */
  readonly concurrency?: number;
  /** @default LINK_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** A scope that admits every http(s) URL: `classifyLink` then judges only the link itself. */
const EVERYWHERE: Scope = { origins: [], includes: () => true };

/** What `classifyLink` skips that is no link to request: not http(s), no URL, or one that would log out. */
const NEVER_REQUESTED: ReadonlySet<string> = new Set([
  'invalid-url',
  'non-http-scheme',
  'too-long',
  'destructive',
]);

/**
 * The HTTP side of `broken-link`: after each tested page's visit, every http(s) link of the page is
 * checked once per crawl (`LinkStatusCache`) with `requestLink`, at most `concurrency` requests in flight,
 * each in its host's turn. Links the crawl would never follow for safety (log-out and delete links,
 * `classifyLink`'s `destructive`) are never requested, not even with HEAD; links out of the scope only
 * when `externalLinks`; in-scope links robots.txt disallows are not asked for. A link to the page itself
 * (`#section`) is left to the in-page side (`broken-anchor`). One finding per broken target per page.
 */
export class LinkChecker implements LinkChecking {
  readonly #options: LinkCheckerOptions;
  readonly #cache: LinkStatusCache;
  readonly #limiter: Limiter;

  constructor(options: LinkCheckerOptions) {
    this.#options = options;
    this.#cache = options.cache ?? new Map<string, Promise<LinkStatus>>();
    this.#limiter = new Limiter({ concurrency: options.concurrency ?? MAX_LINK_REQUESTS });
  }

  async check(pageUrl: string, visit: PageVisit, signal: AbortSignal): Promise<CheckFinding[]> {
    const own = new Set([pageUrl, visit.requestedUrl, visit.finalUrl].map(withoutFragment));
    const targets = new Map<string, PageLink>();
    for (const link of visit.links) {
      const target = this.#target(link);
      if (target !== undefined && !own.has(target) && !targets.has(target)) targets.set(target, link);
    }
    const checked = await Promise.all(
      [...targets].map(async ([url, link]) => ({ url, link, status: await this.#status(url, signal) })),
    );
    return checked.flatMap(({ url, link, status }) => {
      const found = this.#finding(url, link, status);
      return found === undefined ? [] : [found];
    });
  }

  /** The URL to check for `link` (its fragment removed), or `undefined` when it is not checked. */
  #target(link: PageLink): string | undefined {
    const decision = classifyLink(link.href, {
      pageUrl: link.href,
      scope: EVERYWHERE,
      text: link.text,
      ...(link.dataMethod === undefined ? {} : { method: link.dataMethod }),
    });
    if (decision.kind === 'skip' && NEVER_REQUESTED.has(decision.reason)) return undefined;
    let url: URL;
    try {
      url = new URL(link.href);
    } catch {
      return undefined;
    }
    // A user name or password in a link is the page's to send, not the crawler's.
    if (url.username !== '' || url.password !== '') return undefined;
    url.hash = '';
    const { scope, externalLinks, allowed } = this.#options;
    if (scope.includes(url)) return allowed === undefined || allowed(url.href) ? url.href : undefined;
    return externalLinks ? url.href : undefined;
  }

  /**
   * The cached status of `url`, asked for once. A check stopped by its crawl's signal leaves no entry: a
   * crawl sharing the cache (a batch) asks again with its own.
   */
  async #status(url: string, signal: AbortSignal): Promise<LinkStatus> {
    for (;;) {
      let pending = this.#cache.get(url);
      if (pending === undefined) {
        pending = requestLink(url, {
          pacer: this.#options.pacer,
          limiter: this.#limiter,
          signal,
          ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
          mayRequest: (next) => {
            const decision = classifyLink(next.href, { pageUrl: next, scope: EVERYWHERE });
            return !(decision.kind === 'skip' && NEVER_REQUESTED.has(decision.reason));
          },
        });
        this.#cache.set(url, pending);
      }
      try {
        return await pending;
      } catch {
        // Only a stop rejects: this crawl's (it ends here) or, in a shared cache, another's (ask again).
        if (this.#cache.get(url) === pending) this.#cache.delete(url);
        if (signal.aborted) throw signal.reason;
      }
    }
  }

  /** The finding of `link` to `url`, whose target came to `status`; `undefined` when it is fine. */
  #finding(url: string, link: PageLink, status: LinkStatus): CheckFinding | undefined {
    const inScope = this.#options.scope.includes(url);
    const where = { selector: linkSelector(markup(link)), snippet: linkSnippet(markup(link)), subject: url };
    const named = link.text === '' ? `The link to ${url}` : `The link "${quotedText(link.text)}" (${url})`;
    const rule = inScope ? 'broken-internal' : 'broken-external';
    const severity: Severity = inScope ? 'high' : 'medium';
    const final = status.chain.at(-1) ?? url;
    const via = status.chain.length > 1 ? ` redirects to ${final}, which` : '';
    switch (status.outcome) {
      case 'ok':
      case 'unchecked':
        return undefined;
      case 'rate-limited':
        return {
          rule: 'rate-limited',
          severity: 'info',
          title: 'Link not checked: rate limited',
          message: `${named}${via} answered 429 (Too Many Requests), also after waiting as it asked: not checked.`,
          ...where,
        };
      case 'redirect-loop': {
        const loops = status.chain.indexOf(final) < status.chain.length - 1;
        const how = loops
          ? `redirects in a loop: ${status.chain.join(' → ')}`
          : `redirects more than ${MAX_REDIRECTS} times (${status.chain[0]} → … → ${final})`;
        return {
          rule: 'redirect-loop',
          severity,
          title: 'Link in a redirect loop',
          message: `${named} ${how}.`,
          ...where,
        };
      }
      case 'unreachable':
        return {
          rule,
          severity,
          title: 'Broken link: no answer',
          message: `${named}${via} could not be reached: ${status.error ?? 'the request failed'}.`,
          ...where,
        };
      case 'broken': {
        if (inScope && this.#behindLogin(status)) return undefined;
        const code = status.status ?? 0;
        const reason = STATUS_CODES[code];
        return {
          rule,
          severity,
          title: `Broken link (${code})`,
          message: `${named}${via} answers ${code}${reason === undefined ? '' : ` (${reason})`}.`,
          ...where,
        };
      }
    }
  }

  /**
   * Whether a broken in-scope answer is only the checker's lack of a session: the crawl's browser gets
   * in as someone, and the answer asks for a login (401, 403, or a redirect through the login page).
   */
  #behindLogin(status: LinkStatus): boolean {
    if (this.#options.withAccess?.() !== true) return false;
    if (status.status === 401 || status.status === 403) return true;
    const isLoginPage = this.#options.isLoginPage;
    return isLoginPage !== undefined && status.chain.slice(1).some((url) => isLoginPage(url));
  }
}

/** The link as its finding shows it. */
function markup(link: PageLink): { attribute: string; text: string; area: boolean } {
  return { attribute: link.attribute ?? link.href, text: link.text, area: link.area === true };
}

function withoutFragment(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.href;
  } catch {
    return url;
  }
}
