import type { LifecycleState } from '../core/index.js';
import type { EventBus, JobStatus } from '../events/index.js';
import type { Page } from '../store/index.js';
import type { JobView } from './job-view.js';

/** What `JobScheduler.list` selects. */
export interface JobListQuery {
  readonly status?: JobStatus;
  /** @default 50 */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** A scheduler's load and bounds, as `GET /health` reports them. */
export interface SchedulerHealth {
  readonly active: number;
  readonly queued: number;
  readonly capacity: number;
  readonly max_queue: number;
  /** Whether every slot is taken: a new job waits. */
  readonly busy: boolean;
}

/** A change of a scheduler's bounds; an absent field stays as it is. */
export interface SchedulerLimits {
  readonly concurrency?: number;
  readonly maxQueue?: number;
}

/**
 * What the server, the workflow engine and the CLI need of whatever runs agent jobs. `JobService` runs
 * them in this process (one `Limiter`, one home); a distributed backend (BullMQ workers) implements the
 * same contract, so nothing above it changes when jobs run elsewhere. Calls that may cross a process are
 * asynchronous; `health` and `resize` answer from what the scheduler holds.
 */
export interface JobScheduler {
  /** Every job event (`job.status`, `job.log`, `job.result`), after it is stored. */
  readonly bus: EventBus;
  readonly state: LifecycleState;
  /** Recovers what a previous process left and starts taking jobs. */
  start(): Promise<void>;
  /** Stops taking jobs; running ones become `interrupted` and run again at the next start. */
  stop(): Promise<void>;
  /**
   * Validates, stores and queues a job: once it resolves, the job is acknowledged and survives a crash.
   * Rejects with `JobRequestError` (a bad field) or `QueueFullError`, having created nothing.
   */
  submit(request: unknown): Promise<JobView>;
  /**
   * `submit` for a batch, all or nothing (like BullMQ's `addBulk`): every request is validated and the
   * queue must have room for all of them, or none is created. The views are in the order of `requests`.
   * Rejects with `JobRequestError` naming the request (`jobs[3].agent`) or `QueueFullError`.
   */
  submitMany(requests: readonly unknown[]): Promise<JobView[]>;
  get(id: string): Promise<JobView | undefined>;
  /** Jobs newest first, a page at a time. */
  list(query?: JobListQuery): Promise<Page<JobView>>;
  /** Cancels a job: a queued one at once, a running one once its process tree is gone. */
  cancel(id: string): Promise<JobView | undefined>;
  /** Resolves with the job once it has finished (at once if it has); rejects with `signal`'s reason. */
  wait(id: string, signal?: AbortSignal): Promise<JobView | undefined>;
  /** The job's change as a unified diff (`''` when it changed nothing); `undefined` for an unknown job. */
  diff(id: string): Promise<string | undefined>;
  health(): SchedulerHealth;
  /** Changes the bounds live; queued work is never dropped, running work never stopped. */
  resize(limits: SchedulerLimits): void;
}
