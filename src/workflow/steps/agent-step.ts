import { QueueFullError, sleep } from '../../core/index.js';
import type { JobScheduler, JobView } from '../../jobs/index.js';
import type { AgentStep } from '../format/index.js';
import { renderString } from '../expressions/index.js';
import { StepError, type StepContext, type StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** How long an agent step waits before asking a full job queue again. */
export const QUEUE_FULL_RETRY_MS = 500;

/** What an agent step's `output` holds. */
export interface AgentOutput {
  readonly job_id: string;
  readonly status: JobView['status'];
  readonly exit_code: number | null;
  /** The agent's output (its reply). */
  readonly output: string;
  readonly changed_files: readonly string[];
  /** The branch with the job's commit, and where to fetch it from. */
  readonly branch: string | null;
  readonly fetch_from: string | null;
  readonly diff: string | null;
  /** When the job started running (after its wait in the queue) and finished. */
  readonly started_at: string | null;
  readonly finished_at: string | null;
}

/**
 * `agent`: one job of the job service — the same queue, bound, workspace isolation and timeouts as a
 * job submitted over HTTP. A full queue is waited out (a fan-out of agents degrades to waves instead of
 * failing); cancel and halt cancel the job, which kills the agent's process tree.
 */
export const agentStep: StepType<AgentStep, 'jobs'> = {
  ...builtinSchema('agent'),
  needs: ['jobs'],
  async execute(step, context, { jobs }) {
    const { scope } = context;
    const request = {
      agent: renderString(step.agent, scope),
      prompt: renderString(step.prompt, scope),
      ...(step.repo === undefined ? {} : { repo: renderString(step.repo, scope) }),
      ...(step.ref === undefined ? {} : { ref: renderString(step.ref, scope) }),
      ...(step.paths === undefined ? {} : { paths: step.paths.map((path) => renderString(path, scope)) }),
      ...(step.timeout_s === undefined ? {} : { timeout_s: step.timeout_s }),
    };
    return (await runAgentJob(jobs, request, context, step.id)).output;
  },
};

/** A job an agent-running step asks for (`POST /v1/jobs`'s fields); the step adds its run and item ids. */
export interface AgentJobRequest {
  readonly agent: string;
  readonly prompt: string;
  readonly repo?: string;
  readonly ref?: string;
  readonly paths?: readonly string[];
  readonly timeout_s?: number;
  readonly verify?: boolean;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Runs one job of the job service for a step (an `agent` step, a plan's leaf) and waits for it: a full
 * queue is waited out, the step's cancel, halt or timeout cancels the job (which kills the agent's process
 * tree). Resolves with the finished job and its output once it succeeded.
 * @throws StepError with the output when the job did not succeed (`timed_out` or `failed`).
 */
export async function runAgentJob(
  jobs: JobScheduler,
  request: AgentJobRequest,
  context: StepContext,
  stepId: string,
): Promise<{ readonly job: JobView; readonly output: AgentOutput }> {
  const metadata = { ...request.metadata, run_id: context.runId, item_id: context.itemId };
  const job = await submitWhenAccepted(jobs, { ...request, metadata }, context);
  const cancel = (): void => void jobs.cancel(job.id).catch(() => undefined);
  context.signal.addEventListener('abort', cancel, { once: true });
  let done: JobView | undefined;
  try {
    done = await jobs.wait(job.id);
  } finally {
    context.signal.removeEventListener('abort', cancel);
  }
  if (done === undefined) throw new StepError(`${stepId}: job ${job.id} disappeared`);
  if (context.signal.aborted) throw context.signal.reason;
  const output = await outputOf(jobs, done);
  if (done.status !== 'succeeded') {
    const status = done.status === 'timed_out' ? 'timed_out' : 'failed';
    throw new StepError(`${stepId}: job ${done.id} ${done.status}${done.error ? `: ${done.error}` : ''}`, {
      status,
      output,
    });
  }
  return { job: done, output };
}

async function submitWhenAccepted(
  jobs: JobScheduler,
  request: unknown,
  context: StepContext,
): Promise<JobView> {
  for (;;) {
    try {
      return await jobs.submit(request);
    } catch (error) {
      if (!(error instanceof QueueFullError))
        throw new StepError(String((error as Error).message), { cause: error });
      await sleep(QUEUE_FULL_RETRY_MS, context.signal);
    }
  }
}

async function outputOf(jobs: JobScheduler, job: JobView): Promise<AgentOutput> {
  return {
    job_id: job.id,
    status: job.status,
    exit_code: job.exit_code,
    output: job.result?.output ?? job.output_tail ?? '',
    changed_files: job.result?.changedFiles ?? [],
    branch: job.result?.branch ?? null,
    fetch_from: job.result?.fetchFrom ?? null,
    diff: (await jobs.diff(job.id)) ?? null,
    started_at: job.started_at,
    finished_at: job.finished_at,
  };
}
