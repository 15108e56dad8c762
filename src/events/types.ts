/**
 * The typed event union: one vocabulary for the store (append-only log), the SSE bridge, the terminal
 * display and the dashboard. Every event names its subject (a job or a run) and carries an ISO time.
 */

/**
 * Every status a job can have, in lifecycle order (for choices and validation). `stalled`: its agent
 * wrote nothing for its idle timeout (`idle_timeout_s`) and was stopped.
 */
export const JOB_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'stalled',
  'cancelled',
  'interrupted',
] as const;

/** Where a job is in its lifecycle. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Every status a run can have, in lifecycle order (for choices and validation). */
export const RUN_STATUSES = ['running', 'paused', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;

/** Where a run (workflow, plan, QA crawl, suite run, demo) is in its lifecycle. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Every status an item of a run can have, in lifecycle order. */
export const ITEM_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'skipped',
] as const;

/** Where one item of a run (a fan-out item, a page, a suite) is. */
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** Statuses a job or item never leaves. */
export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set([
  'succeeded',
  'failed',
  'timed_out',
  'stalled',
  'cancelled',
]);

export type OutputStream = 'stdout' | 'stderr';

export interface JobStatusEvent {
  readonly type: 'job.status';
  readonly jobId: string;
  readonly status: JobStatus;
  readonly at: string;
  readonly error?: string;
}

export interface JobLogEvent {
  readonly type: 'job.log';
  readonly jobId: string;
  readonly stream: OutputStream;
  readonly line: string;
  readonly at: string;
}

export interface JobResultEvent {
  readonly type: 'job.result';
  readonly jobId: string;
  readonly status: JobStatus;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly durationMs: number;
  readonly at: string;
  readonly error?: string;
}

export interface RunStatusEvent {
  readonly type: 'run.status';
  readonly runId: string;
  readonly status: RunStatus;
  readonly at: string;
  readonly error?: string;
}

export interface ItemStatusEvent {
  readonly type: 'item.status';
  readonly runId: string;
  readonly itemId: string;
  readonly status: ItemStatus;
  readonly at: string;
  readonly attempt?: number;
  readonly error?: string;
}

export interface ItemLogEvent {
  readonly type: 'item.log';
  readonly runId: string;
  readonly itemId: string;
  readonly stream: OutputStream;
  readonly line: string;
  readonly at: string;
}

/** Where a QA crawl stands: what `qa.visit` and `qa.page` events carry, for live progress. */
export interface QaProgress {
  readonly pagesTested: number;
  readonly pagesNotTested: number;
  /** URLs waiting for a worker. */
  readonly queued: number;
  /** Pages being tested now. */
  readonly inFlight: number;
  /** Findings so far, by severity (critical, high, medium, low, info). */
  readonly findingsBySeverity: Readonly<Record<string, number>>;
}

/** A worker of a QA crawl (run `runId`) began testing a page. */
export interface QaVisitEvent {
  readonly type: 'qa.visit';
  readonly runId: string;
  /** The worker's index, from 0. */
  readonly worker: number;
  readonly url: string;
  readonly progress: QaProgress;
  readonly at: string;
}

/** A worker of a QA crawl finished a page: tested (its status and findings) or not (the reason). */
export interface QaPageEvent {
  readonly type: 'qa.page';
  readonly runId: string;
  readonly worker: number;
  readonly url: string;
  readonly tested: boolean;
  /** The page's HTTP status; `null` when not tested or when no response came. */
  readonly status: number | null;
  /** How many findings the page has. */
  readonly findings: number;
  /** The worst of them, when there are any. */
  readonly worst?: string;
  /** Why it was not tested. */
  readonly reason?: string;
  readonly progress: QaProgress;
  readonly at: string;
}

/** Every event Flotilla emits. Switch on `type`; TypeScript narrows the rest. */
export type FlotillaEvent =
  | JobStatusEvent
  | JobLogEvent
  | JobResultEvent
  | RunStatusEvent
  | ItemStatusEvent
  | ItemLogEvent
  | QaVisitEvent
  | QaPageEvent;

export type FlotillaEventType = FlotillaEvent['type'];

/** An event as stored: with its place in the append-only log, which SSE uses as the event id. */
export type SequencedEvent = FlotillaEvent & { readonly seq: number };

/** The job or run an event belongs to: the key under which it is stored and replayed. */
export function subjectOf(event: FlotillaEvent): string {
  return 'jobId' in event ? event.jobId : event.runId;
}

/** The current time as the ISO-8601 string events carry. */
export function nowIso(): string {
  return new Date().toISOString();
}
