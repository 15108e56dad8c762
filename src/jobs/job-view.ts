import type { JobRecord } from '../store/index.js';
import type { JobRequest } from './job-request.js';
import type { JobResult } from './job-runner.js';

/**
 * A job as the API and the CLI show it (the README's HTTP API section): the record's own fields, and the rest in the
 * API's snake_case.
 */
export interface JobView extends Pick<
  JobRecord,
  'id' | 'status' | 'agent' | 'prompt' | 'repo' | 'ref' | 'priority' | 'attempts'
> {
  readonly created_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly exit_code: number | null;
  readonly error: string | null;
  readonly output_tail: string | null;
  /** 1-based place among queued jobs; null once started. */
  readonly queue_position: number | null;
  readonly result: JobResult | null;
  /** What the submitter attached to the job (`metadata` of the request), as given; null when none. */
  readonly metadata: Readonly<Record<string, unknown>> | null;
}

export function toJobView(record: JobRecord, queuePosition: number | null): JobView {
  return {
    id: record.id,
    status: record.status,
    agent: record.agent,
    prompt: record.prompt,
    repo: record.repo,
    ref: record.ref,
    priority: record.priority,
    created_at: record.createdAt,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    exit_code: record.exitCode,
    error: record.error,
    output_tail: record.outputTail,
    queue_position: queuePosition,
    attempts: record.attempts,
    result: (record.result as JobResult | null) ?? null,
    metadata: (record.spec as Pick<JobRequest, 'metadata'> | null)?.metadata ?? null,
  };
}
