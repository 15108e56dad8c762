import type { BrowserPool, PageVisit, VisitProbe } from './browser/index.js';
import { visitPage } from './browser/index.js';
import type { Discoveries } from './crawl-state.js';
import { retryAfterMs, type HostPacer } from './politeness.js';
import { classifyLink, type CanonicalParamOptions, type Scope } from './urls/index.js';

/**
 * One page in a context of the pool, its host's turn awaited; a 429 or 503 is tried once more after its
 * `Retry-After`. `probe` gives each attempt's probe (the page's checks).
 */
export async function visitPolitely(
  pool: BrowserPool,
  pacer: HostPacer,
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
  probe?: () => VisitProbe,
): Promise<PageVisit> {
  const host = new URL(url).host;
  for (let attempt = 1; ; attempt++) {
    // The context first, then the host's turn: the navigation follows its turn as closely as it can.
    const lease = await pool.acquire(signal);
    let visit: PageVisit;
    try {
      await pacer.acquire(host, signal);
      visit = await visitPage(lease.context, url, {
        timeoutMs,
        signal: AbortSignal.any([signal, lease.signal]),
        ...(probe === undefined ? {} : { probe: probe() }),
      });
    } finally {
      pool.release(lease);
    }
    const busy = visit.status === 429 || visit.status === 503;
    if (!busy || attempt === 2) return visit;
    await pacer.backoff(host, retryAfterMs(visit.retryAfter) ?? 2_000, signal);
  }
}

/** Queues the in-scope links of a page at `depth`, and records why the others are skipped, in `found`. */
export function followLinks(
  visit: PageVisit,
  depth: number,
  { scope, params }: { readonly scope: Scope; readonly params: CanonicalParamOptions },
  enqueue: (found: Discoveries, urls: readonly string[], depth: number) => void,
  skip: (found: Discoveries, url: string, reason: string) => void,
  found: Discoveries,
): void {
  const follow: string[] = [];
  for (const link of visit.links) {
    const decision = classifyLink(link.href, {
      pageUrl: visit.finalUrl,
      scope,
      params,
      text: link.text,
      ...(link.dataMethod === undefined ? {} : { method: link.dataMethod }),
    });
    if (decision.kind === 'follow') follow.push(decision.url);
    else skip(found, decision.url ?? link.href, decision.reason);
  }
  enqueue(found, follow, depth);
}
