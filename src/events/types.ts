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

/** Every event Flotilla emits. Switch on `type`; TypeScript narrows the rest. */
export type FlotillaEvent =
  JobStatusEvent | JobLogEvent | JobResultEvent | RunStatusEvent | ItemStatusEvent | ItemLogEvent;

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
