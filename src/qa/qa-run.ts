import { hostname } from 'node:os';
import type { Environment } from '../config/index.js';
import {
  CancelledError,
  FlotillaError,
  InterruptedError,
  InvalidArgumentError,
  NEVER_ABORTED,
  type Limiter,
} from '../core/index.js';
import { nowIso, type EventBus, type FlotillaEvent, type RunStatus } from '../events/index.js';
import {
  HeldLease,
  Journal,
  leaseOwnerAlive,
  newRecordId,
  runLeaseName,
  type RunRecord,
  type Store,
} from '../store/index.js';
import { LoginSession, withoutPassword, type QaAccess } from './auth/index.js';
import { BrowserPool } from './browser/index.js';
import type { CrawlSnapshot } from './crawl-state.js';
import { crawl } from './crawl.js';
import { HostPacer } from './politeness.js';
import { journalObserver, snapshotOf } from './qa-run-journal.js';
import { ScreenshotTaker, type LinkStatusCache } from './checks/index.js';
import { crawlOptionsOf, storedQaSpec, type QaSpec } from './qa-spec.js';
import type { QaReport } from './report.js';

/** How long a crawl's lease outlives its process's last heartbeat (then another process may resume it). */
const LEASE_TTL_MS = 30_000;
const LEASE_RENEW_MS = 2_000;

/** What a QA run works with. */
export interface QaRunServices {
  /** Where the run, its frontier, pages and findings, and its events are kept. */
  readonly store: Store;
  /** Hears every event of the run after it is stored (live progress, SSE). */
  readonly bus?: EventBus;
  /** The browser's environment: without Flotilla's secrets (`withoutSecrets`). @default process.env */
  readonly env?: Environment;
  /**
   * Spacing shared with other runs (a server's, a batch's): each navigation waits for its host's turn at
   * the run's own `rate_limit`, then in this pacer. @default the run's own spacing only
   */
  readonly pacer?: HostPacer;
  /** What link targets answered, shared with other runs (a batch's): each is asked once for all. */
  readonly linkCache?: LinkStatusCache;
  /**
   * A bound shared with other runs (a server's `qa.max_runs`): the crawl waits for a place in it before
   * its browser launches, the run `running` meanwhile. @default none: it crawls at once
   */
  readonly slots?: Pick<Limiter, 'run'>;
  /**
   * A browser shared with other runs (a batch), which the run borrows contexts of and leaves open.
   * @default a browser of the run's own, with `spec.workers` contexts, closed when it ends
   */
  readonly pool?: BrowserPool;
  /**
   * How the run gets in (a saved session, headers, cookies, a form login), applied to the browser it
   * launches. Never stored: a resumed run that used one must be given it again.
   */
  readonly access?: QaAccess;
  /** A login already done on the shared `pool` (a batch logs in once for all its runs). */
  readonly login?: LoginSession;
}

/** What a run's access was, as stored with it: names and the login page, never a value. */
interface StoredAccess {
  readonly login_url?: string;
  readonly storage_state?: true;
  readonly headers?: readonly string[];
  readonly cookies?: readonly string[];
}

function storedAccess(services: QaRunServices): StoredAccess | undefined {
  const access = services.access;
  const loginUrl = services.login?.loginUrl ?? access?.login?.credentials.loginUrl;
  const stored: StoredAccess = {
    ...(loginUrl === undefined ? {} : { login_url: loginUrl }),
    ...(access?.pool.storageState === undefined ? {} : { storage_state: true }),
    ...(access?.pool.headers === undefined ? {} : { headers: Object.keys(access.pool.headers) }),
    ...(access?.pool.cookies === undefined ? {} : { cookies: access.pool.cookies.map((one) => one.name) }),
  };
  return Object.keys(stored).length === 0 ? undefined : stored;
}

/** Options of one run. */
export interface QaRunOptions {
  /**
   * Aborting it stops the crawl with the report so far: the run is `interrupted` and can resume, or
   * `cancelled` (for good) when the reason is a `CancelledError`.
   */
  readonly signal?: AbortSignal;
  /** @default a new `qa_…` id */
  readonly id?: string;
  /**
   * The report's folder (or how to name it from the run's id): the screenshots of the findings at the
   * spec's `screenshot_on` go to its `screenshots/`. @default none: no screenshot is taken
   */
  readonly out?: string | ((id: string) => string);
}

/** A QA run started: its id (stored already) and its report to come. */
export interface QaRunHandle {
  readonly id: string;
  /**
   * The report once the crawl ends (also when stopped: `interrupted`). Rejects when the run could not
   * crawl (no browser, a failing store); the run is then `failed` with that error.
   */
  readonly done: Promise<QaReport>;
}

/** The statuses a QA run's report status becomes. */
const RUN_STATUS_OF: Record<QaReport['summary']['status'], RunStatus> = {
  passed: 'succeeded',
  failed: 'failed',
  interrupted: 'interrupted',
};

/**
 * Starts a QA crawl as a durable run (`kind: 'qa'`): the run is stored before this returns, and as the
 * crawl goes, every URL it queues or leaves out, every page it tests and its findings are written with
 * the `qa.visit` and `qa.page` events that announce them. A crawl stopped anywhere — Ctrl-C, a crash,
 * `kill -9` — resumes with `resumeQaRun`. A cancel written by another process (`cancelStoredQaRun`) is
 * seen at the lease's next heartbeat: the crawl stops, `cancelled`.
 */
export function startQaRun(spec: QaSpec, services: QaRunServices, options: QaRunOptions = {}): QaRunHandle {
  const { store } = services;
  const id = options.id ?? newRecordId('qa');
  const lease = runLease(store, id);
  const journal = new Journal(store, services.bus);
  journal.record(
    () => {
      const access = storedAccess(services);
      store.runs.insert({
        id,
        kind: 'qa',
        name: spec.urls[0] ?? null,
        spec: access === undefined ? spec : { ...spec, access },
        startedAt: nowIso(),
      });
      if (!lease.held.acquire().acquired) throw new FlotillaError('E_RUN_BUSY', `Run ${id} already exists`);
    },
    runStatus(id, 'running'),
  );
  return { id, done: drive(store.runs.get(id)!, undefined, lease, services, options) };
}

/**
 * Continues a QA run that was stopped (interrupted, or `running` with its process gone): the pages it
 * tested are kept and never visited again, the URLs it queued (and those being tested when it stopped)
 * are crawled, and the page budget left is what it had not spent.
 * @throws FlotillaError `E_RUN_NOT_FOUND` (no QA run with that id), `E_RUN_BUSY` (a live process
 *   crawls it), `E_RUN_NOT_RESUMABLE` (it finished).
 */
export function resumeQaRun(id: string, services: QaRunServices, options: QaRunOptions = {}): QaRunHandle {
  const { store } = services;
  const run = store.runs.get(id);
  if (run === undefined || run.kind !== 'qa') {
    throw new FlotillaError('E_RUN_NOT_FOUND', `No QA run ${id} in ${store.path}`);
  }
  if (!resumable(run)) {
    const how = run.status === 'cancelled' ? 'was cancelled' : `${run.status} when it finished`;
    throw new FlotillaError('E_RUN_NOT_RESUMABLE', `QA run ${id} ${how}; only a stopped run resumes`);
  }
  const before = (run.spec as { access?: StoredAccess }).access;
  if (before !== undefined && storedAccess(services) === undefined) {
    const how =
      before.login_url === undefined
        ? 'a saved session, headers or cookies'
        : `a login at ${before.login_url}`;
    throw new InvalidArgumentError(
      `QA run ${id} used ${how}, which is never stored: give --auth, --storage-state, --cookie or --header again`,
    );
  }
  const lease = runLease(store, id);
  if (!store.transaction(() => lease.held.acquire().acquired)) {
    throw new FlotillaError('E_RUN_BUSY', `QA run ${id} is being crawled by another process`);
  }
  new Journal(store, services.bus).record(
    () => store.runs.update(id, { status: 'running', error: null, finishedAt: null }),
    runStatus(id, 'running'),
  );
  return { id, done: drive(run, snapshotOf(store.qa.list(id)), lease, services, options) };
}

/** Whether a stored QA run can go on: stopped, or failed before its crawl ended (a browser that would not start). */
function resumable(run: RunRecord): boolean {
  if (run.status === 'interrupted' || run.status === 'running') return true;
  return run.status === 'failed' && run.error !== null;
}

async function drive(
  run: RunRecord,
  resume: CrawlSnapshot | undefined,
  lease: RunLease,
  services: QaRunServices,
  options: QaRunOptions,
): Promise<QaReport> {
  const { store } = services;
  const signal = AbortSignal.any([options.signal ?? NEVER_ABORTED, lease.stopped]);
  const { id } = run;
  const spec = storedQaSpec(run.spec);
  const out = typeof options.out === 'function' ? options.out(id) : options.out;
  const journal = new Journal(store, services.bus);
  const finish = (status: RunStatus, patch: { output?: unknown; error?: string }): void => {
    journal.record(
      () => store.runs.update(id, { status, finishedAt: nowIso(), ...patch }),
      runStatus(id, status, patch.error),
    );
  };
  // A cancel ends the run for good; a shutdown, a Ctrl-C, a timeout or a lost lease leave it resumable.
  const stoppedAs = (): RunStatus => (signal.reason instanceof CancelledError ? 'cancelled' : 'interrupted');
  const crawlOnce = async (): Promise<QaReport> => {
    const pool =
      services.pool ??
      (await BrowserPool.launch({
        contexts: spec.workers,
        // The browser gets no secret of Flotilla's (the runtime's env has none), nor the login's password.
        env: withoutPassword(services.env ?? process.env),
        signal,
        ...services.access?.pool,
      }));
    try {
      let login = services.login;
      if (login === undefined && services.access?.login !== undefined) {
        login = new LoginSession({ pool, ...services.access.login });
        await login.login(signal);
      }
      return await crawl({
        ...crawlOptionsOf(spec),
        id,
        startedAt: run.startedAt ?? run.createdAt,
        pool,
        signal,
        // The run's own rate_limit, within the spacing it shares with other runs.
        ...(services.pacer === undefined
          ? {}
          : { pacer: new HostPacer(spec.rate_limit, { within: services.pacer }) }),
        ...(services.linkCache === undefined ? {} : { linkCache: services.linkCache }),
        ...(resume === undefined ? {} : { resume }),
        ...(login === undefined ? {} : { login }),
        ...(out === undefined || spec.screenshot_on === 'none'
          ? { screenshotOn: 'none' as const }
          : { screenshots: new ScreenshotTaker({ dir: out, threshold: spec.screenshot_on }) }),
        observer: journalObserver(id, store, journal),
      });
    } finally {
      if (services.pool === undefined) await pool.close();
    }
  };
  try {
    const report = await (services.slots === undefined
      ? crawlOnce()
      : services.slots.run(crawlOnce, { signal }));
    const status =
      report.summary.status === 'interrupted' ? stoppedAs() : RUN_STATUS_OF[report.summary.status];
    finish(status, { output: { summary: report.summary } });
    return report;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    finish(signal.aborted ? stoppedAs() : 'failed', { error: message });
    throw error;
  } finally {
    lease.held.release();
  }
}

/**
 * Cancels a stored QA run that this process does not crawl: one still `running` (in another process,
 * which stops at its lease's next heartbeat) or `interrupted` becomes `cancelled`, for good. A finished
 * run stays as it is.
 * @returns the run as it is now; `undefined` when there is no QA run with that id.
 */
export function cancelStoredQaRun(
  id: string,
  services: Pick<QaRunServices, 'store' | 'bus'>,
): RunRecord | undefined {
  const { store } = services;
  const run = store.runs.get(id);
  if (run === undefined || run.kind !== 'qa') return undefined;
  if (run.status !== 'running' && run.status !== 'interrupted') return run;
  return new Journal(store, services.bus).record(
    () => store.runs.update(id, { status: 'cancelled', finishedAt: nowIso() }),
    runStatus(id, 'cancelled'),
  );
}

/**
 * Marks `interrupted` every QA run that says `running` but whose process is gone — no lease, an expired
 * one, or one whose owner was a process of this host that no longer exists — so that its event stream
 * ends and it shows what it is (resumable). Runs in `skip` (crawled or waiting here) are left alone.
 * @returns the ids of the runs marked.
 */
export function reapAbandonedQaRuns(
  services: Pick<QaRunServices, 'store' | 'bus'>,
  skip: ReadonlySet<string> = new Set(),
): string[] {
  const { store } = services;
  const journal = new Journal(store, services.bus);
  const now = nowIso();
  const host = hostname();
  const marked: string[] = [];
  for (const run of store.runs.list({ status: 'running', kind: 'qa', limit: 1000 }).items) {
    if (skip.has(run.id)) continue;
    const lease = store.leases.get(runLeaseName(run.id));
    if (lease !== undefined && lease.expiresAt > now && leaseOwnerAlive(lease.owner, host)) continue;
    const error = `the process crawling it (${lease?.owner ?? 'none'}) is gone`;
    journal.record(
      () => {
        if (lease !== undefined) store.leases.release(lease.name, lease.owner);
        store.runs.update(run.id, { status: 'interrupted', error, finishedAt: nowIso() });
      },
      runStatus(run.id, 'interrupted', error),
    );
    marked.push(run.id);
  }
  return marked;
}

/** The lease on a run this process crawls, and the signal that stops the crawl. */
interface RunLease {
  readonly held: HeldLease;
  /**
   * Aborts when another process takes the run over (`InterruptedError`), or when a heartbeat finds the
   * run cancelled in the store by another process (`CancelledError`).
   */
  readonly stopped: AbortSignal;
}

function runLease(store: Store, id: string): RunLease {
  const stop = new AbortController();
  const held = new HeldLease({
    store,
    name: runLeaseName(id),
    ttlMs: LEASE_TTL_MS,
    renewMs: LEASE_RENEW_MS,
    onRenew: () => {
      try {
        if (store.runs.get(id)?.status === 'cancelled') {
          stop.abort(new CancelledError(`QA run ${id} was cancelled`));
        }
      } catch {
        // A busy database: the next heartbeat looks again.
      }
    },
    onLost: () => stop.abort(new InterruptedError(`QA run ${id}: another process took it over`)),
  });
  return { held, stopped: stop.signal };
}

function runStatus(runId: string, status: RunStatus, error?: string): FlotillaEvent {
  return { type: 'run.status', runId, status, at: nowIso(), ...(error === undefined ? {} : { error }) };
}
