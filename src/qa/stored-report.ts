import type { RunStatus } from '../events/index.js';
import type { QaUrlRecord, RunRecord } from '../store/index.js';
import { storedQaSpec } from './qa-spec.js';
import {
  countBySeverity,
  groupFindings,
  type Finding,
  type NotTested,
  type PageRecord,
  type QaReport,
} from './report.js';

/**
 * A QA run's report rebuilt from the store (`GET /v1/runs/:id/report`): the whole report once the run
 * ended, the report so far while it crawls (`summary.status` is then `running`, `run.finished_at` null,
 * and `queued` lists the URLs still to test). Pages, findings and the URLs not tested come in the order
 * the crawl first saw their URLs.
 */
export interface StoredQaReport {
  readonly run: Omit<QaReport['run'], 'finished_at'> & {
    readonly finished_at: string | null;
    /** The run's own status (`succeeded`, `failed`, `cancelled`, …), beside the report's. */
    readonly status: RunStatus;
    /** Why the run failed or stopped, when it did not end by itself (no browser, a shutdown). */
    readonly error: string | null;
  };
  readonly summary: Omit<QaReport['summary'], 'status'> & {
    readonly status: QaReport['summary']['status'] | 'running';
  };
  readonly pages: readonly PageRecord[];
  readonly not_tested: readonly NotTested[];
  /** URLs queued and not tested yet: those of a run still crawling; `[]` once it ended. */
  readonly queued: readonly { readonly url: string; readonly depth: number }[];
  readonly findings: readonly Finding[];
}

/** The report status a run's status reads as. */
const REPORT_STATUS_OF: Record<RunStatus, StoredQaReport['summary']['status']> = {
  running: 'running',
  succeeded: 'passed',
  failed: 'failed',
  interrupted: 'interrupted',
  cancelled: 'interrupted',
  paused: 'interrupted',
};

/**
 * The report of QA run `run` from its stored URLs (`store.qa.list(run.id)`). For a run that ended, the
 * URLs it had queued and not tested are listed as `not_tested` with the reason the crawl gives them: the
 * page budget when it finished, `the crawl was stopped first` when it was stopped (or failed to crawl).
 */
export function storedQaReport(run: RunRecord, rows: readonly QaUrlRecord[]): StoredQaReport {
  const spec = storedQaSpec(run.spec);
  const running = run.status === 'running';
  // A run that finished its crawl has its summary as output; one stopped or failed before has none.
  const crawled = (run.output as { summary?: unknown } | null)?.summary !== undefined && !running;
  const leftReason = crawled
    ? `page budget spent (--max-pages ${spec.max_pages})`
    : 'the crawl was stopped first';
  const pages: PageRecord[] = [];
  const found: Finding[] = [];
  const notTested: NotTested[] = [];
  const queued: { url: string; depth: number }[] = [];
  for (const row of rows) {
    if (row.state === 'tested') {
      pages.push(row.page as PageRecord);
      found.push(...((row.findings ?? []) as Finding[]));
    } else if (row.state === 'not_tested') {
      notTested.push({ url: row.url, reason: row.reason ?? '' });
    } else if (running) {
      queued.push({ url: row.url, depth: row.depth });
    } else {
      notTested.push({ url: row.url, reason: leftReason });
    }
  }
  const findings = groupFindings(found);
  return {
    run: {
      id: run.id,
      started_at: run.startedAt ?? run.createdAt,
      finished_at: running ? null : run.finishedAt,
      config: { ...spec },
      status: run.status,
      error: run.error,
    },
    summary: {
      pages_tested: pages.length,
      pages_not_tested: notTested.length,
      findings_by_severity: countBySeverity(findings),
      status: REPORT_STATUS_OF[run.status],
    },
    pages,
    not_tested: notTested,
    queued,
    findings,
  };
}
