import type Database from 'better-sqlite3';
import { decodeJson, encodeJson } from './sql-values.js';
import { guard } from './store-error.js';

/** Where a URL of a crawl is: waiting (or being tested when its process died), tested, or left out. */
export type QaUrlState = 'queued' | 'tested' | 'not_tested';

/** A URL a crawl queued. */
export interface QaQueuedInput {
  readonly url: string;
  readonly depth: number;
}

/** A URL a crawl left out, and why. */
export interface QaSkippedInput {
  readonly url: string;
  readonly reason: string;
  /** Its depth when known (it was queued, then claimed and left out); 0 otherwise. */
  readonly depth?: number;
}

/** A claimed URL's outcome: tested (its page and findings, as JSON values) or not, with the reason. */
export type QaOutcomeInput = { readonly url: string; readonly depth: number } & (
  | {
      readonly tested: true;
      /** The key that makes two URLs the same page (canonical or final URL). */
      readonly pageKey: string;
      readonly page: unknown;
      readonly findings: unknown;
    }
  | { readonly tested: false; readonly reason: string }
);

/** One URL of a crawl as stored. */
export interface QaUrlRecord {
  readonly url: string;
  readonly seq: number;
  readonly depth: number;
  readonly state: QaUrlState;
  /** Whether it took a place of the page budget. */
  readonly claimed: boolean;
  readonly reason: string | null;
  readonly pageKey: string | null;
  readonly page: unknown;
  readonly findings: unknown;
}

interface QaUrlRow {
  url: string;
  seq: number;
  depth: number;
  state: QaUrlState;
  claimed: number;
  reason: string | null;
  page_key: string | null;
  page: string | null;
  findings: string | null;
}

/**
 * The `qa_urls` table: every URL a QA crawl has seen, so a stopped or killed crawl resumes with the same
 * frontier, the same pages and findings, and what is left of its page budget. Writes are upserts of one
 * row per URL; a crawl writes each page's outcome together with the links it found (`record`).
 */
export class QaRepository {
  readonly #db: Database.Database;
  readonly #queue: Database.Statement;
  readonly #skip: Database.Statement;
  readonly #outcome: Database.Statement;
  readonly #list: Database.Statement<[string], QaUrlRow>;
  readonly #record: Database.Transaction<
    (
      runId: string,
      outcome: QaOutcomeInput | undefined,
      queued: readonly QaQueuedInput[],
      skipped: readonly QaSkippedInput[],
    ) => void
  >;

  constructor(db: Database.Database) {
    this.#db = db;
    const nextSeq = '(SELECT COALESCE(MAX(seq), 0) + 1 FROM qa_urls WHERE run_id = @run)';
    // Queuing wins over an earlier skip (a link seen too deep first, then within the depth); it never
    // touches a URL queued or tested already.
    this.#queue = db.prepare(
      `INSERT INTO qa_urls (run_id, url, seq, depth, state) VALUES (@run, @url, ${nextSeq}, @depth, 'queued')
       ON CONFLICT (run_id, url) DO UPDATE SET state = 'queued', depth = excluded.depth, reason = NULL
       WHERE qa_urls.state = 'not_tested' AND qa_urls.claimed = 0`,
    );
    // A skip never overrides anything: the first reason stays, and a queued or tested URL stays so.
    this.#skip = db.prepare(
      `INSERT INTO qa_urls (run_id, url, seq, depth, state, reason)
       VALUES (@run, @url, ${nextSeq}, @depth, 'not_tested', @reason)
       ON CONFLICT (run_id, url) DO NOTHING`,
    );
    this.#outcome = db.prepare(
      `INSERT INTO qa_urls (run_id, url, seq, depth, state, claimed, reason, page_key, page, findings)
       VALUES (@run, @url, ${nextSeq}, @depth, @state, 1, @reason, @key, @page, @findings)
       ON CONFLICT (run_id, url) DO UPDATE SET state = excluded.state, claimed = 1,
         reason = excluded.reason, page_key = excluded.page_key, page = excluded.page,
         findings = excluded.findings`,
    );
    this.#list = db.prepare<[string], QaUrlRow>(
      `SELECT url, seq, depth, state, claimed, reason, page_key, page, findings FROM qa_urls
       WHERE run_id = ? ORDER BY seq`,
    );
    this.#record = db.transaction((runId, outcome, queued, skipped) => {
      if (outcome !== undefined) {
        this.#outcome.run({
          run: runId,
          url: outcome.url,
          depth: outcome.depth,
          state: outcome.tested ? 'tested' : 'not_tested',
          reason: outcome.tested ? null : outcome.reason,
          key: outcome.tested ? outcome.pageKey : null,
          page: outcome.tested ? encodeJson('page', outcome.page) : null,
          findings: outcome.tested ? encodeJson('findings', outcome.findings) : null,
        });
      }
      for (const entry of queued) this.#queue.run({ run: runId, url: entry.url, depth: entry.depth });
      for (const entry of skipped) {
        this.#skip.run({ run: runId, url: entry.url, depth: entry.depth ?? 0, reason: entry.reason });
      }
    });
  }

  /**
   * Writes, in one transaction, a claimed URL's outcome (when given), the URLs it queued and the ones
   * it left out. Already-known URLs keep their state: a skip never undoes a queue or a test.
   */
  record(
    runId: string,
    outcome: QaOutcomeInput | undefined,
    queued: readonly QaQueuedInput[] = [],
    skipped: readonly QaSkippedInput[] = [],
  ): void {
    guard(this.#db, `record the crawl of run ${runId}`, () =>
      this.#record.immediate(runId, outcome, queued, skipped),
    );
  }

  /** Every URL of run `runId`, in the order it was first seen. */
  list(runId: string): QaUrlRecord[] {
    const rows = guard(this.#db, `read the crawl of run ${runId}`, () => this.#list.all(runId));
    return rows.map((row) => ({
      url: row.url,
      seq: row.seq,
      depth: row.depth,
      state: row.state,
      claimed: row.claimed === 1,
      reason: row.reason,
      pageKey: row.page_key,
      page: decodeJson(row.page),
      findings: decodeJson(row.findings),
    }));
  }
}
