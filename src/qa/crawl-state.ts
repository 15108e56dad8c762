import { countBySeverity, type Finding, type PageRecord, type Severity } from './report.js';

/** A URL queued at a depth. */
export interface QueuedUrl {
  readonly url: string;
  readonly depth: number;
}

/** A URL left out, and why. */
export interface SkippedUrl {
  readonly url: string;
  readonly reason: string;
}

/** A page tested, with the key that makes two URLs the same page and what the checks found. */
export interface TestedPage {
  readonly page: PageRecord;
  readonly pageKey: string;
  readonly findings: readonly Finding[];
}

/**
 * Where a stopped crawl was, to go on from (`CrawlOptions.resume`): what it queued and had not finished,
 * what it tested, what it left out, and how much of the page budget it spent.
 */
export interface CrawlSnapshot {
  /** Queued URLs not finished (including the ones being tested when it stopped), in the order seen. */
  readonly queued: readonly QueuedUrl[];
  readonly tested: readonly TestedPage[];
  /** URLs left out; `claimed` ones took a place of the budget (a duplicate page, a failed visit). */
  readonly notTested: readonly (SkippedUrl & { readonly claimed: boolean })[];
}

/** What a crawl knows at one moment: for live progress. */
export interface CrawlProgress {
  readonly pagesTested: number;
  readonly pagesNotTested: number;
  readonly queued: number;
  readonly inFlight: number;
  /** Distinct findings (by fingerprint) by severity, as the report counts them. */
  readonly findingsBySeverity: Readonly<Record<Severity, number>>;
}

/** What the links of one page added: for a journal to write with the page's outcome. */
export interface Discoveries {
  readonly queued: QueuedUrl[];
  readonly skipped: SkippedUrl[];
}

/** A fresh, empty `Discoveries`. */
export function noDiscoveries(): Discoveries {
  return { queued: [], skipped: [] };
}

/**
 * The bookkeeping of one crawl: the URLs it knows (queued, tested or being tested), the ones it left out
 * with their first reason, the pages tested and their findings. Restored from a snapshot on resume.
 */
export class CrawlState {
  readonly pages: PageRecord[] = [];
  readonly findings: Finding[] = [];
  /** URL → why it was not tested. */
  readonly notTested = new Map<string, string>();
  /** Page key (canonical or final URL) → the URL tested under it. */
  readonly testedKeys = new Map<string, string>();
  /** URLs queued, tested or being tested: a deeper link to one is no reason to list it. */
  readonly #known = new Set<string>();
  readonly #bySeverity = countBySeverity([]);
  /** The fingerprints counted in `#bySeverity`: a defect found on many pages counts once, as in the report. */
  readonly #counted = new Set<string>();
  /** Places of the page budget spent before this process (a resumed crawl). */
  readonly claimedBefore: number;

  constructor(snapshot?: CrawlSnapshot) {
    let claimed = 0;
    for (const tested of snapshot?.tested ?? []) {
      this.#known.add(tested.page.url);
      this.addPage(tested);
      claimed++;
    }
    for (const { url, reason, claimed: took } of snapshot?.notTested ?? []) {
      this.notTested.set(url, reason);
      if (took) {
        this.#known.add(url);
        claimed++;
      }
    }
    for (const { url } of snapshot?.queued ?? []) this.#known.add(url);
    this.claimedBefore = claimed;
  }

  /** Whether the crawl already has `url` (queued, tested or being tested). */
  knows(url: string): boolean {
    return this.#known.has(url);
  }

  /** Marks `url` known (it is queued now); a reason it had for not being tested goes. */
  know(url: string): void {
    this.#known.add(url);
    this.notTested.delete(url);
  }

  /** Records why `url` is not tested, unless it is known or has a reason already; true when recorded. */
  skip(url: string, reason: string): boolean {
    if (this.notTested.has(url) || this.#known.has(url)) return false;
    this.notTested.set(url, reason);
    return true;
  }

  addPage(tested: TestedPage): void {
    this.testedKeys.set(tested.pageKey, tested.page.url);
    this.pages.push(tested.page);
    this.findings.push(...tested.findings);
    for (const one of tested.findings) {
      if (this.#counted.has(one.fingerprint)) continue;
      this.#counted.add(one.fingerprint);
      this.#bySeverity[one.severity] += 1;
    }
  }

  /** Counts for live progress, given the frontier's. */
  progress(queued: number, inFlight: number): CrawlProgress {
    return {
      pagesTested: this.pages.length,
      pagesNotTested: this.notTested.size,
      queued,
      inFlight,
      findingsBySeverity: { ...this.#bySeverity },
    };
  }
}
