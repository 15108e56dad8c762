import { join } from 'node:path';
import type { Environment } from '../config/index.js';
import {
  CancelledError,
  FlotillaError,
  InterruptedError,
  Limiter,
  QueueFullError,
  type RunOptions,
  type Task,
} from '../core/index.js';
import type { EventBus, RunStatus } from '../events/index.js';
import type { Page, RunRecord, Store } from '../store/index.js';
import { HostPacer } from './politeness.js';
import {
  cancelStoredQaRun,
  reapAbandonedQaRuns,
  resumeQaRun,
  startQaRun,
  type QaRunHandle,
  type QaRunServices,
} from './qa-run.js';
import type { QaSpec } from './qa-spec.js';
import { storedQaReport, type StoredQaReport } from './stored-report.js';

/** Options of a `QaRunner`. */
export interface QaRunnerOptions {
  readonly store: Store;
  /** Hears every event of the runs after it is stored. */
  readonly bus?: EventBus;
  /** The browsers' environment: without Flotilla's secrets (`Runtime.env`). @default process.env */
  readonly env?: Environment;
  /** How many runs crawl at once, each with a Chromium of its own (`qa.max_runs`); others wait their turn. */
  readonly maxRuns: number;
  /**
   * How many runs started with `bounded` may wait for a turn; beyond, `start` refuses with
   * `QueueFullError` before it stores anything (the server's `server.max_queue`). @default Infinity
   */
  readonly maxQueued?: number;
  /**
   * Navigations per second to one host, summed over every run of this runner (`qa.rate_limit`), on top
   * of each run's own `rate_limit`; 0 adds no spacing.
   */
  readonly rateLimit: number;
  /**
   * The folder of the runs' report folders (`<home>/qa`): run `ID`'s screenshots go to
   * `DIR/ID/screenshots/`, where a `qa` step writes its report. @default none: no screenshot is taken
   */
  readonly reportsDir?: string;
  /** How often a started runner looks for QA runs whose process died (`start`). @default 2 s */
  readonly reapIntervalMs?: number;
}

/** Options of `QaRunner.start`. */
export interface QaRunnerStartOptions {
  /**
   * Stops the run with the report so far: `interrupted` (resumable), or `cancelled` when its reason is
   * a `CancelledError`. A run that waits for its turn stops waiting.
   */
  readonly signal?: AbortSignal;
  /** Refuse with `QueueFullError` when `maxQueued` runs already wait (a request); otherwise wait (a step). */
  readonly bounded?: boolean;
  /** Called when the run's turn comes, before its browser launches (where a step's timeout starts). */
  readonly onTurn?: () => void;
}

/** A QA run as the API shows it (`GET /v1/runs/:id`, `GET /v1/runs?kind=qa`). */
export interface QaRunView {
  readonly id: string;
  readonly kind: 'qa';
  /** The first start URL. */
  readonly name: string | null;
  readonly status: RunStatus;
  /** Whether the run waits for its turn to crawl (`qa.max_runs` are crawling): it is `running`, nothing crawled yet. */
  readonly queued: boolean;
  /** What it crawls: the `POST /v1/qa` body with the defaults filled in. */
  readonly spec: QaSpec;
  /** `{ summary }` once the crawl ended (docs/qa.md); `null` before. */
  readonly output: { readonly summary: StoredQaReport['summary'] } | null;
  readonly error: string | null;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
}

/** What the runner keeps of a run it drives. */
interface ActiveRun {
  readonly controller: AbortController;
  readonly settled: Promise<void>;
  /** Whether it still waits for its turn. */
  readonly queued: boolean;
}

/**
 * The QA runs of one process (the runtime's, so `flotilla serve`'s): at most `maxRuns` crawl at once,
 * each with its own Chromium, the others `running` and `queued` until a turn is free; every navigation
 * of every run also waits for its host's turn in one shared `HostPacer`, so runs started side by side
 * never add up to more than `rateLimit` on a host. `stop()` stops them all: they end `interrupted`
 * (resumable) with their browsers closed.
 */
export class QaRunner {
  readonly #options: QaRunnerOptions;
  readonly #limiter: Limiter;
  readonly #pacer: HostPacer;
  readonly #active = new Map<string, ActiveRun>();
  #stopping: Promise<void> | undefined;
  #reaper: NodeJS.Timeout | undefined;

  constructor(options: QaRunnerOptions) {
    this.#options = options;
    this.#limiter = new Limiter({ concurrency: options.maxRuns });
    this.#pacer = new HostPacer(options.rateLimit);
  }

  /**
   * Marks `interrupted` the QA runs a dead process left `running` (a server killed mid-crawl), then keeps
   * looking on a timer, as the workflow engine does for its runs; `stop()` ends it. Starting and resuming
   * runs needs no sweep: a process that only crawls (`flotilla qa`, `flotilla run`) does without.
   */
  startSweep(): void {
    this.#assertOpen();
    if (this.#reaper !== undefined) return;
    this.reapInterrupted();
    this.#reaper = setInterval(() => {
      try {
        this.reapInterrupted();
      } catch {
        // A busy database: the next sweep tries again.
      }
    }, this.#options.reapIntervalMs ?? 2_000);
    this.#reaper.unref();
  }

  /**
   * Marks `interrupted` every QA run that says `running` but whose process is gone (see
   * `reapAbandonedQaRuns`), leaving this runner's own alone. @returns their ids.
   */
  reapInterrupted(): string[] {
    return reapAbandonedQaRuns(this.#options, new Set(this.#active.keys()));
  }

  /** Runs crawling now (`active`) and waiting for a turn (`queued`), and the bound (`capacity`). */
  get stats(): { readonly active: number; readonly queued: number; readonly capacity: number } {
    const { active, queued, capacity } = this.#limiter.stats;
    return { active, queued, capacity };
  }

  /**
   * Stores a new QA run of `spec` and crawls it when a turn is free.
   * @throws QueueFullError (`bounded`, when `maxQueued` runs wait), FlotillaError `E_STATE` once stopping.
   */
  start(spec: QaSpec, options: QaRunnerStartOptions = {}): QaRunHandle {
    this.#assertOpen();
    if (options.bounded === true) this.#assertRoom();
    return this.#drive(options, (services, signal) => startQaRun(spec, services, { signal, ...this.#out() }));
  }

  /**
   * Continues a stopped QA run (see `resumeQaRun`), when a turn is free.
   * @throws FlotillaError `E_RUN_NOT_FOUND`, `E_RUN_BUSY`, `E_RUN_NOT_RESUMABLE`, `E_QUEUE_FULL`
   *   (`bounded`), `E_STATE` once stopping.
   */
  resume(id: string, options: QaRunnerStartOptions = {}): QaRunHandle {
    this.#assertOpen();
    if (this.#active.has(id)) throw new FlotillaError('E_RUN_BUSY', `QA run ${id} is running here`);
    this.reapInterrupted();
    if (options.bounded === true) this.#assertRoom();
    return this.#drive(options, (services, signal) => resumeQaRun(id, services, { signal, ...this.#out() }));
  }

  /**
   * Cancels QA run `id` for good: one crawling here stops at once (its browser closed) and one waiting
   * stops waiting; one another process crawls is marked `cancelled` and stops at its next heartbeat;
   * an interrupted one becomes `cancelled`. A finished run stays as it is.
   * @returns its view, `undefined` when there is no QA run with that id.
   */
  async cancel(id: string): Promise<QaRunView | undefined> {
    const active = this.#active.get(id);
    if (active !== undefined) {
      active.controller.abort(new CancelledError(`QA run ${id} was cancelled`));
      await active.settled;
    } else {
      cancelStoredQaRun(id, this.#options);
    }
    return this.view(id);
  }

  /** The runs' report folders, when the runner has a place for them. */
  #out(): { out?: (id: string) => string } {
    const dir = this.#options.reportsDir;
    return dir === undefined ? {} : { out: (id) => join(dir, id) };
  }

  /** Whether `id` is a QA run this runner drives (crawling or waiting for its turn). */
  drives(id: string): boolean {
    return this.#active.has(id);
  }

  /** The view of QA run `id`; `undefined` when there is none (or the run is of another kind). */
  view(id: string): QaRunView | undefined {
    const run = this.#options.store.runs.get(id);
    return run?.kind === 'qa' ? this.viewOf(run) : undefined;
  }

  /** The view of a stored QA run. */
  viewOf(run: RunRecord): QaRunView {
    return {
      id: run.id,
      kind: 'qa',
      name: run.name,
      status: run.status,
      queued: this.#active.get(run.id)?.queued ?? false,
      spec: run.spec as QaSpec,
      output: (run.output ?? null) as QaRunView['output'],
      error: run.error,
      created_at: run.createdAt,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
    };
  }

  /** QA runs newest first, a page at a time. @throws InvalidArgumentError for a bad cursor. */
  list(options: { status?: RunStatus; limit?: number; cursor?: string } = {}): Page<QaRunView> {
    const page = this.#options.store.runs.list({ ...options, kind: 'qa' });
    return { ...page, items: page.items.map((run) => this.viewOf(run)) };
  }

  /** The report of QA run `id` from the store: whole once it ended, so far while it crawls. */
  report(id: string): StoredQaReport | undefined {
    const { store } = this.#options;
    const run = store.runs.get(id);
    return run?.kind === 'qa' ? storedQaReport(run, store.qa.list(id)) : undefined;
  }

  /**
   * Stops every run this runner drives — crawling or waiting — and waits for them: they end
   * `interrupted` (resumable), their browsers closed. Later starts are refused (`E_STATE`). Calling it
   * again waits for the same stop.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      clearInterval(this.#reaper);
      const runs = [...this.#active.values()];
      for (const run of runs) run.controller.abort(new InterruptedError('The QA run was interrupted'));
      await Promise.all(runs.map((run) => run.settled));
    })();
    return this.#stopping;
  }

  #assertOpen(): void {
    if (this.#stopping !== undefined) throw new FlotillaError('E_STATE', 'The QA runner is stopping');
  }

  /** Refuses a run that would wait beyond `maxQueued`. */
  #assertRoom(): void {
    const { active, queued, capacity } = this.#limiter.stats;
    const maxQueued = this.#options.maxQueued ?? Infinity;
    if (active + queued >= capacity + maxQueued) throw new QueueFullError(queued, maxQueued);
  }

  /** Starts (or resumes) a run through `begin` with the shared bound and pacer, and keeps it until it ends. */
  #drive(
    { signal, onTurn }: QaRunnerStartOptions,
    begin: (services: QaRunServices, signal: AbortSignal) => QaRunHandle,
  ): QaRunHandle {
    const controller = new AbortController();
    const entry: { queued: boolean } = { queued: true };
    const limiter = this.#limiter;
    const slots = {
      run<T>(task: Task<T>, runOptions?: RunOptions): Promise<T> {
        return limiter.run((slot) => {
          entry.queued = false;
          onTurn?.();
          return task(slot);
        }, runOptions);
      },
    };
    const { store, bus, env } = this.#options;
    const services: QaRunServices = {
      store,
      pacer: this.#pacer,
      slots,
      ...(bus === undefined ? {} : { bus }),
      ...(env === undefined ? {} : { env }),
    };
    const stop = signal === undefined ? controller.signal : AbortSignal.any([signal, controller.signal]);
    const handle = begin(services, stop);
    const settled = handle.done.then(
      () => undefined,
      () => undefined,
    );
    const active: ActiveRun = {
      controller,
      settled,
      get queued() {
        return entry.queued;
      },
    };
    this.#active.set(handle.id, active);
    void settled.then(() => this.#active.delete(handle.id));
    return handle;
  }
}
