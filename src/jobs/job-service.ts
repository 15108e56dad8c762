import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CancelledError,
  InterruptedError,
  Lifecycle,
  Limiter,
  QueueFullError,
  type LifecycleState,
} from '../core/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { EventBus, nowIso, type FlotillaEvent, type JobStatus } from '../events/index.js';
import { Journal, type JobEnding, type JobRecord, type Page, type Store } from '../store/index.js';
import type { WorkspaceManager } from '../workspace/index.js';
import { JobEviction } from './eviction.js';
import { HomeLease } from './home-lease.js';
import type { JobListQuery, JobScheduler, SchedulerHealth, SchedulerLimits } from './job-scheduler.js';
import { JobServiceError } from './job-service-error.js';
import { assertBatchFits, parseJobBatch, storeJobs } from './job-admission.js';
import { parseJobRequest, type JobRequest } from './job-request.js';
import {
  diffPath,
  jobResultOf,
  runJob,
  type JobOutcome,
  type JobRunContext,
  type JobTimings,
} from './job-runner.js';
import { toJobView, type JobView } from './job-view.js';
import { killLeftovers } from './leftovers.js';
import { QueuePositions } from './queue-positions.js';
import { DEFAULT_JOB_TIMEOUT_MS, type JobServiceOptions } from './job-service-options.js';
import { ScratchFolders } from './scratch-folders.js';

/** A job this process has queued or is running. */
interface LiveJob {
  /** Cancels it, or (with an `InterruptedError`) interrupts it. */
  readonly controller: AbortController;
  /** Settles once it has ended, with the job as stored then (`undefined` when a shutdown left it queued). */
  done: Promise<JobRecord | undefined>;
  /** Whether its run has begun. */
  started: boolean;
  /** The job as stored when it was queued, then as its run's start stored it. */
  record: JobRecord;
}

/**
 * The local job scheduler: jobs are stored before they are acknowledged, run in this process through one
 * `Limiter` (global concurrency, queue bound, priority, per-agent caps as groups) in their own
 * workspaces, and survive a crash: on `start`, queued jobs resume in their order and interrupted ones run
 * again once. One process at a time runs the jobs of a home (`HomeLease`).
 */
export class JobService implements JobScheduler {
  readonly bus: EventBus;
  readonly #store: Store;
  readonly #journal: Journal;
  readonly #config: ResolvedConfig;
  readonly #workspaces: WorkspaceManager;
  readonly #limiter: Limiter;
  readonly #artifactsDir: string;
  readonly #defaultTimeoutMs: number;
  readonly #scratch: ScratchFolders;
  /** What every run needs from the service. */
  readonly #runContext: JobRunContext;
  /** Jobs this process has queued or is running. */
  readonly #live = new Map<string, LiveJob>();
  /** How many of them wait at each priority. */
  readonly #positions = new QueuePositions();
  readonly #lifecycle = new Lifecycle({
    name: 'job service',
    error: (message) => new JobServiceError('E_STATE', message),
  });
  /** One process at a time is the job service of a home. */
  readonly #lease: HomeLease;
  /** Deletes finished jobs past `job_ttl_s`. */
  readonly #eviction: JobEviction;

  constructor(options: JobServiceOptions) {
    this.#store = options.store;
    this.#config = options.config;
    this.#workspaces = options.workspaces;
    this.bus = options.bus ?? new EventBus();
    this.#journal = new Journal(options.store, this.bus);
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
    this.#artifactsDir = join(options.config.home, 'artifacts');
    this.#scratch = new ScratchFolders(join(options.config.home, 'scratch'));
    this.#lease = new HomeLease(options.store, options.config.home);
    this.#eviction = new JobEviction({
      store: options.store,
      workspaces: options.workspaces,
      artifactsDir: this.#artifactsDir,
      ttlS: options.config.server.job_ttl_s,
    });
    const { concurrency, max_queue: maxQueue } = options.config.server;
    this.#limiter = new Limiter({ concurrency, maxQueue });
    this.#runContext = {
      config: this.#config,
      workspaces: this.#workspaces,
      emit: (event: FlotillaEvent) => this.#journal.emit(event),
      artifactsDir: this.#artifactsDir,
      defaultTimeoutMs: this.#defaultTimeoutMs,
      scratch: this.#scratch,
      // A plain copy: reading `process.env` goes through the runtime for every variable, every job.
      env: { ...(options.env ?? process.env) },
    };
    for (const [name, profile] of Object.entries(options.config.agents)) {
      if (profile.concurrency !== undefined) this.#limiter.setGroupLimit(name, profile.concurrency);
    }
  }

  /**
   * Recovers what a previous process left and starts: queued jobs resume in their order, and a job that
   * was running (the process died, or stopped) runs again once, in its place in that order.
   *
   * One process at a time is the job service of a home: it holds a lease in the store, renewed while it
   * runs and released by `stop`; a crashed holder's lease is taken over at once on its host (its pid is
   * gone) and after 30 s elsewhere.
   * @throws JobServiceError `E_HOME_BUSY` when a live process is the job service of this home.
   */
  start(): Promise<void> {
    return this.#lifecycle.start(async () => {
      // First of all: recovery below kills and re-runs what another service left, so it must be dead.
      this.#lease.acquire();
      try {
        await this.#recover();
      } catch (error) {
        this.#lease.release();
        throw error;
      }
    });
  }

  /** Where the service is in its lifecycle. */
  get state(): LifecycleState {
    return this.#lifecycle.state;
  }

  async #recover(): Promise<void> {
    mkdirSync(this.#artifactsDir, { recursive: true });
    const unfinished = this.#store.jobs
      .listByStatus(['queued', 'running', 'interrupted'])
      .filter((record) => record.finishedAt === null);
    // A dead predecessor's agents live on in their own sessions: stop them before their jobs run again
    // and before the workspace manager collects their checkouts.
    for (const record of unfinished) {
      if (record.status !== 'queued') await killLeftovers(this.#config.home, record.id);
    }
    await this.#workspaces.start();
    // Acknowledged jobs all come back, however small the queue bound is now; new ones respect it.
    const maxQueue = this.#limiter.stats.maxQueue;
    this.#limiter.setMaxQueue(Infinity);
    for (const record of unfinished) {
      if (record.status !== 'queued') {
        // Running when its process died, or stopped by a shutdown: run it again once; a second time is final.
        if (record.status === 'running')
          this.#setStatus(record.id, 'interrupted', { error: 'the process running this job died' });
        if (record.attempts >= 2) {
          this.#store.jobs.update(record.id, { finishedAt: nowIso() });
          continue;
        }
        this.#setStatus(record.id, 'queued', {});
      }
      this.#schedule(record);
    }
    this.#limiter.setMaxQueue(maxQueue);
    await this.#eviction.start();
  }

  /**
   * Stops taking jobs, stops the running ones (they become `interrupted` and run again at the next start)
   * and keeps queued ones queued in the store.
   */
  stop(): Promise<void> {
    return this.#lifecycle.stop(async () => {
      this.#eviction.stop();
      const reason = new InterruptedError('The job service stopped');
      for (const { controller } of this.#live.values()) controller.abort(reason);
      await Promise.all([...this.#live.values()].map(({ done }) => done));
      await this.#workspaces.stop();
      this.#scratch.clear();
      this.#lease.release();
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the JobScheduler contract is async
  async submit(input: unknown): Promise<JobView> {
    this.#assertTaking();
    const request = parseJobRequest(input, this.#config);
    if (!this.#limiter.accepts({ group: request.agent })) {
      const { queued, maxQueue } = this.#limiter.stats;
      throw new QueueFullError(queued, maxQueue);
    }
    return this.#admit([request])[0]!;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the JobScheduler contract is async
  async submitMany(inputs: readonly unknown[]): Promise<JobView[]> {
    this.#assertTaking();
    const requests = parseJobBatch(inputs, this.#config);
    assertBatchFits(requests.length, this.#limiter.stats);
    return this.#admit(requests);
  }

  #assertTaking(): void {
    this.#lifecycle.assertStarted();
    this.#lease.assertHeld();
  }

  /** Stores accepted requests (see `storeJobs`), then queues them in order. */
  #admit(requests: readonly JobRequest[]): JobView[] {
    const records = storeJobs(this.#store, this.#journal, requests);
    return records.map((record) => {
      const live = this.#schedule(record);
      // The state now, without reading it back: a job that found a free slot has already started.
      return toJobView(live.record, live.started ? null : this.#positions.ofLast(record.priority));
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the JobScheduler contract is async
  async get(id: string): Promise<JobView | undefined> {
    return this.#view(id);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the JobScheduler contract is async
  async list(query: JobListQuery = {}): Promise<Page<JobView>> {
    const page = this.#store.jobs.list(query);
    return { ...page, items: page.items.map((record) => toJobView(record, null)) };
  }

  async cancel(id: string): Promise<JobView | undefined> {
    const live = this.#live.get(id);
    if (live === undefined) return this.#view(id);
    live.controller.abort(new CancelledError('Cancelled by request'));
    const ended = await live.done;
    return ended === undefined ? this.#view(id) : toJobView(ended, null);
  }

  async wait(id: string, signal?: AbortSignal): Promise<JobView | undefined> {
    const live = this.#live.get(id);
    if (live === undefined) return this.#view(id);
    let ended: JobRecord | undefined;
    if (signal === undefined) ended = await live.done;
    else {
      const aborted = new Promise<never>((_, reject) => {
        signal.throwIfAborted();
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
      ended = await Promise.race([live.done, aborted]);
    }
    return ended === undefined ? this.#view(id) : toJobView(ended, null);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the JobScheduler contract is async
  async diff(id: string): Promise<string | undefined> {
    if (this.#store.jobs.get(id) === undefined) return undefined;
    try {
      return readFileSync(diffPath(this.#artifactsDir, id), 'utf8');
    } catch {
      return '';
    }
  }

  health(): SchedulerHealth {
    const { active, queued, capacity, maxQueue } = this.#limiter.stats;
    return { active, queued, capacity, max_queue: maxQueue, busy: active >= capacity };
  }

  resize(limits: SchedulerLimits): void {
    if (limits.concurrency !== undefined) this.#limiter.resize(limits.concurrency);
    if (limits.maxQueue !== undefined) this.#limiter.setMaxQueue(limits.maxQueue);
  }

  #view(id: string): JobView | undefined {
    const record = this.#store.jobs.get(id);
    return record && toJobView(record, this.#queuePosition(record));
  }

  /** Queues a stored job (`record` is as it was stored; only its fixed fields and spec are used). */
  #schedule(record: JobRecord): LiveJob {
    const { id, priority, agent } = record;
    const controller = new AbortController();
    const live: LiveJob = { controller, done: undefined!, started: false, record };
    live.done = this.#limiter
      .run((signal) => this.#execute(record, live, signal), {
        signal: controller.signal,
        priority,
        group: agent,
      })
      .catch((reason: unknown) => {
        this.#positions.remove(id);
        // Aborted while queued: a user's cancel ends it; a shutdown leaves it queued for the next start.
        if (reason instanceof InterruptedError) return undefined;
        return this.#finishStatus(id, 'cancelled', String(reason));
      })
      .finally(() => this.#live.delete(id));
    this.#live.set(id, live);
    if (!live.started) this.#positions.add(id, priority);
    return live;
  }

  /** Runs a job and resolves with it as it ended. */
  async #execute(record: JobRecord, live: LiveJob, signal: AbortSignal): Promise<JobRecord> {
    const { id } = record;
    live.started = true;
    this.#positions.remove(id);
    const request = record.spec as JobRequest;
    const timings: JobTimings = {
      queued_ms: Math.max(0, Date.now() - Date.parse(record.createdAt)),
      workspace_ms: 0,
      run_ms: 0,
    };
    const startedAt = nowIso();
    const attempts = record.attempts + 1;
    this.#journal.record(() => this.#store.jobs.start(id, startedAt), {
      type: 'job.status',
      jobId: id,
      status: 'running',
      at: startedAt,
    });
    live.record = { ...record, status: 'running', startedAt, attempts };
    let outcome: JobOutcome | undefined;
    let failure: unknown;
    try {
      outcome = await runJob(this.#runContext, id, request, timings, signal);
    } catch (error) {
      failure = error;
    }
    const status: JobStatus =
      signal.reason instanceof InterruptedError
        ? 'interrupted'
        : signal.aborted
          ? 'cancelled'
          : (outcome?.status ?? 'failed');
    const error = failure === undefined ? (outcome?.error ?? null) : describe(failure);
    const at = nowIso();
    const ending: JobEnding = {
      status,
      // An interrupted job is not finished: the next start runs it again.
      finishedAt: status === 'interrupted' ? null : at,
      exitCode: outcome?.exitCode ?? null,
      signal: outcome?.signal ?? null,
      error,
      outputTail: outcome?.outputTail ?? null,
      result: outcome?.result ?? jobResultOf({ timings }),
    };
    this.#journal.record(() => this.#store.jobs.finish(id, ending), {
      type: 'job.result',
      jobId: id,
      status,
      exitCode: ending.exitCode,
      signal: ending.signal,
      durationMs: timings.run_ms,
      at,
      ...(error === null ? {} : { error }),
    });
    // The job as stored now, without reading it back: its fixed fields, then everything `start` and
    // `finish` wrote.
    return { ...live.record, ...ending };
  }

  #setStatus(id: string, status: JobStatus, fields: { error?: string }): void {
    this.#journal.record(() => this.#store.jobs.update(id, { status, ...fields }), {
      type: 'job.status',
      jobId: id,
      status,
      at: nowIso(),
      ...fields,
    });
  }

  #finishStatus(id: string, status: JobStatus, error: string): JobRecord | undefined {
    return this.#journal.record(() => this.#store.jobs.update(id, { status, finishedAt: nowIso(), error }), {
      type: 'job.result',
      jobId: id,
      status,
      exitCode: null,
      signal: null,
      durationMs: 0,
      at: nowIso(),
      error,
    });
  }

  #queuePosition(record: JobRecord): number | null {
    return record.status === 'queued' ? this.#store.jobs.queuePosition(record) : null;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
