import type { Limiter } from '../../core/index.js';
import { CRAWLER_USER_AGENT, retryAfterMs, type HostPacer } from '../politeness.js';

/*
 * The HTTP side of `broken-link` for one target (docs/qa.md, "Checks"): what a link's URL answers, its
 * redirects followed, each request in its host's turn. Nothing here decides what is a finding: the link
 * checker does, knowing the crawl's scope and access.
 */

/** How long one request of a link check may take, from its host's turn to its headers. */
export const LINK_TIMEOUT_MS = 10_000;
/** The most redirects a link's target may go through; one more is reported as a redirect loop. */
export const MAX_REDIRECTS = 10;
/** How long a 429 or 503 without a usable `Retry-After` is waited out before its one retry. */
export const RETRY_WITHOUT_AFTER_MS = 2_000;

/**
 * What a HEAD may answer where the server mishandles HEAD (it does not allow it, does not implement it,
 * or refuses it, as some firewalls and frameworks do): the URL is asked again with GET.
 */
const HEAD_REFUSED: ReadonlySet<number> = new Set([400, 403, 405, 501]);
/**
 * Network errors about the host, not the method: a GET would fail the same way, so a failed HEAD is not
 * tried again with GET (DNS, a refused or unroutable connection, TLS and its certificates).
 */
const HOST_ERROR = /^(ENOTFOUND|EAI_\w+|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)$|CERT|TLS|SSL/;

/** What a link's target came to. */
export interface LinkStatus {
  /**
   * `ok`: a final answer under 400. `broken`: one at 400 or above (429 but after its retry). `rate-limited`:
   * 429 also after the retry. `unreachable`: no answer (DNS, refused, TLS, timeout). `redirect-loop`:
   * a URL came back in the chain, or more than `MAX_REDIRECTS` redirects. `unchecked`: a redirect led
   * where the crawler never sends a request (a log-out link, a scheme that is no http(s)).
   */
  readonly outcome: 'ok' | 'broken' | 'rate-limited' | 'unreachable' | 'redirect-loop' | 'unchecked';
  /** The URLs requested, in order: the target, then each redirect's `Location` (the looping one last). */
  readonly chain: readonly string[];
  /** The last status answered; `null` when none came. */
  readonly status: number | null;
  /** What went wrong with the network, for `unreachable`. */
  readonly error?: string;
}

/** What `requestLink` works with. */
export interface LinkRequestOptions {
  /** Each request waits for its host's turn here: the pacer of the crawl's navigations. */
  readonly pacer: HostPacer;
  /** Bounds the requests in flight (a slot is taken before the host's turn, held to the headers). */
  readonly limiter: Limiter;
  readonly signal: AbortSignal;
  /** @default LINK_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Whether a URL a redirect leads to may be requested (never a log-out link). */
  readonly mayRequest: (url: URL) => boolean;
}

/** One answer: its status and what the checker reads of its headers; or why there was none. */
type Answer =
  | { readonly status: number; readonly location: string | null; readonly retryAfter: string | null }
  | { readonly error: string; readonly hostError: boolean };

/**
 * What `url` answers: HEAD first, GET when HEAD is refused or fails (many servers mishandle HEAD; a GET's
 * body is cancelled at its headers), a 429 or 503 tried once more after its `Retry-After`, redirects
 * followed one by one (each in its host's turn) up to `MAX_REDIRECTS`. No cookie and no header of the
 * crawl's is sent: only the crawler's user agent. Never throws but the signal's reason.
 */
export async function requestLink(url: string, options: LinkRequestOptions): Promise<LinkStatus> {
  const chain: string[] = [];
  try {
    return await follow(url, chain, options);
  } catch (error) {
    // Rejecting means stopped, and only that: a cache shared by crawls relies on it.
    if (options.signal.aborted) throw options.signal.reason;
    const message = error instanceof Error ? error.message : String(error);
    return { outcome: 'unreachable', chain, status: null, error: message.split('\n', 1)[0] ?? message };
  }
}

/** `url`'s answers, hop by hop, each URL asked for added to `chain`. */
async function follow(url: string, chain: string[], options: LinkRequestOptions): Promise<LinkStatus> {
  chain.push(url);
  for (let current = url; ;) {
    const answer = await answerOf(current, options);
    if ('error' in answer) return { outcome: 'unreachable', chain, status: null, error: answer.error };
    const { status, location } = answer;
    if (status >= 300 && status < 400 && location !== null) {
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return { outcome: 'unreachable', chain, status, error: `a redirect to an invalid URL (${location})` };
      }
      next.hash = '';
      const seen = chain.includes(next.href);
      chain.push(next.href);
      if (seen || chain.length > MAX_REDIRECTS + 1) return { outcome: 'redirect-loop', chain, status };
      if ((next.protocol !== 'http:' && next.protocol !== 'https:') || !options.mayRequest(next)) {
        return { outcome: 'unchecked', chain, status };
      }
      current = next.href;
      continue;
    }
    if (status === 429) return { outcome: 'rate-limited', chain, status };
    return { outcome: status >= 400 ? 'broken' : 'ok', chain, status };
  }
}

/** One URL's answer: HEAD, then GET when needed; a 429 or 503 waited out and asked once more. */
async function answerOf(url: string, options: LinkRequestOptions): Promise<Answer> {
  let method: 'HEAD' | 'GET' = 'HEAD';
  let answer = await send(url, method, options);
  if ('error' in answer ? !answer.hostError : HEAD_REFUSED.has(answer.status)) {
    method = 'GET';
    answer = await send(url, method, options);
  }
  if ('status' in answer && (answer.status === 429 || answer.status === 503)) {
    const waitMs = retryAfterMs(answer.retryAfter) ?? RETRY_WITHOUT_AFTER_MS;
    await options.pacer.backoff(new URL(url).host, waitMs, options.signal);
    answer = await send(url, method, options);
  }
  return answer;
}

/** One request in a slot of the limiter and its host's turn; the body is never read. */
function send(url: string, method: 'HEAD' | 'GET', options: LinkRequestOptions): Promise<Answer> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? LINK_TIMEOUT_MS;
  return options.limiter.run(
    async (): Promise<Answer> => {
      await options.pacer.acquire(new URL(url).host, signal);
      // From the turn on: the wait for it is the pacer's, not the server's.
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const response = await fetch(url, {
          method,
          redirect: 'manual',
          signal: AbortSignal.any([signal, timeout]),
          headers: { 'user-agent': CRAWLER_USER_AGENT, accept: '*/*' },
          credentials: 'omit',
        });
        // The status is all it takes: the body (a GET's page, a file) is not downloaded.
        await response.body?.cancel().catch(() => undefined);
        return {
          status: response.status,
          location: response.headers.get('location'),
          retryAfter: response.headers.get('retry-after'),
        };
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (timeout.aborted) return { error: `no answer within ${timeoutMs / 1000} s`, hostError: false };
        return networkError(error);
      }
    },
    { signal },
  );
}

/** A failed fetch as the checker says it: `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:1)`. */
function networkError(error: unknown): Answer {
  // Node's fetch fails with `TypeError: fetch failed`, the socket's error as its cause.
  let cause: unknown = error instanceof Error && error.cause !== undefined ? error.cause : error;
  if (cause instanceof AggregateError && cause.errors.length > 0) cause = cause.errors[0];
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  const line = (message.split('\n', 1)[0] ?? '').slice(0, 300);
  if (typeof code !== 'string') return { error: line || 'the request failed', hostError: false };
  return {
    error: line === '' || line === code ? code : `${code} (${line})`,
    hostError: HOST_ERROR.test(code),
  };
}
