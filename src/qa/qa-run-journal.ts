import { nowIso, type FlotillaEvent } from '../events/index.js';
import type { Journal, QaUrlRecord, Store } from '../store/index.js';
import type { CrawlObserver, PageOutcome } from './crawl-options.js';
import type { CrawlSnapshot } from './crawl-state.js';
import { SEVERITIES, type Finding, type PageRecord } from './report.js';

/*
 * A QA run's crawl in the store, both ways: written one page at a time as it goes (with the events that
 * announce it), and read back as the snapshot a resumed crawl starts from.
 */

/** Writes each step of the crawl, with its event, in one transaction. */
export function journalObserver(id: string, store: Store, journal: Journal): CrawlObserver {
  return {
    seeded: ({ queued, skipped }) => store.qa.record(id, undefined, queued, skipped),
    pageStarted: (worker, url, progress) =>
      journal.emit({ type: 'qa.visit', runId: id, worker, url, progress, at: nowIso() }),
    pageFinished: (outcome) =>
      journal.record(
        () =>
          store.qa.record(
            id,
            outcome.tested === undefined
              ? { url: outcome.url, depth: outcome.depth, tested: false, reason: outcome.reason ?? '' }
              : {
                  url: outcome.url,
                  depth: outcome.depth,
                  tested: true,
                  pageKey: outcome.tested.pageKey,
                  page: outcome.tested.page,
                  findings: outcome.tested.findings,
                },
            outcome.discoveries.queued,
            outcome.discoveries.skipped,
          ),
        pageEvent(id, outcome),
      ),
  };
}

function pageEvent(runId: string, outcome: PageOutcome): FlotillaEvent {
  const findings = outcome.tested?.findings ?? [];
  return {
    type: 'qa.page',
    runId,
    worker: outcome.worker,
    url: outcome.url,
    tested: outcome.tested !== undefined,
    status: outcome.tested?.page.status ?? null,
    findings: findings.length,
    ...(findings.length === 0 ? {} : { worst: worstOf(findings) }),
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    progress: outcome.progress,
    at: nowIso(),
  };
}

function worstOf(findings: readonly Finding[]): string {
  return SEVERITIES.find((severity) => findings.some((one) => one.severity === severity)) ?? 'info';
}

/** The crawl a stored run had reached; `undefined` when it never began (it starts afresh). */
export function snapshotOf(rows: readonly QaUrlRecord[]): CrawlSnapshot | undefined {
  if (rows.length === 0) return undefined;
  const queued: CrawlSnapshot['queued'][number][] = [];
  const tested: CrawlSnapshot['tested'][number][] = [];
  const notTested: CrawlSnapshot['notTested'][number][] = [];
  for (const row of rows) {
    if (row.state === 'queued') queued.push({ url: row.url, depth: row.depth });
    else if (row.state === 'tested') {
      tested.push({
        page: row.page as PageRecord,
        pageKey: row.pageKey ?? row.url,
        findings: (row.findings ?? []) as Finding[],
      });
    } else notTested.push({ url: row.url, reason: row.reason ?? '', claimed: row.claimed });
  }
  return { queued, tested, notTested };
}
