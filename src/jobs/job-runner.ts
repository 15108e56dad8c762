import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAgentWithRetry, timeoutOf, type AgentUsage } from '../agents/index.js';
import type { Environment, ResolvedConfig } from '../config/index.js';
import { stopwatch } from '../core/index.js';
import { nowIso, type FlotillaEvent, type JobStatus } from '../events/index.js';
import { runProcess } from '../exec/index.js';
import type { WorkspaceManager } from '../workspace/index.js';
import { assertJobEnvAllowed, JobRequestError, type JobRequest } from './job-request.js';
import { jobMarker } from './leftovers.js';
import type { ScratchFolders } from './scratch-folders.js';

/** What one job's execution needs from the service. */
export interface JobRunContext {
  readonly config: ResolvedConfig;
  readonly workspaces: WorkspaceManager;
  readonly emit: (event: FlotillaEvent) => void;
  /** Where diffs are kept: `<artifactsDir>/<job-id>.diff`. */
  readonly artifactsDir: string;
  readonly defaultTimeoutMs: number;
  /** Working folders of jobs without a repository. */
  readonly scratch: ScratchFolders;
  /** The environment agents inherit (see `RunAgentOptions.env`). */
  readonly env: Environment;
}

/** How long a job's phases took, in ms. The queue wait is measured by the service. */
export interface JobTimings {
  queued_ms: number;
  workspace_ms: number;
  run_ms: number;
  verify_ms?: number;
}

/**
 * What a finished job records besides its status, always whole: a job that failed before its agent
 * started (an unknown ref, a repository that cannot be cloned, a failed `setup`) has `attempts: 0`, an
 * empty `output` and `changedFiles`, and `null` for `branch`, `commit` and `fetchFrom` (see `jobResultOf`).
 */
export interface JobResult {
  readonly timings: JobTimings;
  /** Runs of the agent, its rate-limit retries included; `0` when it never started. */
  readonly attempts: number;
  readonly output: string;
  readonly usage?: AgentUsage;
  readonly changedFiles: readonly string[];
  readonly branch: string | null;
  readonly commit: string | null;
  /** The repository holding `branch`: `git fetch <fetchFrom> <branch>` brings the change home. */
  readonly fetchFrom: string | null;
  readonly verify?: { readonly exitCode: number | null; readonly tail: readonly string[] };
}

/**
 * A result as the store may hold it: versions before `jobResultOf` stored only the `timings` of a job that
 * failed before its agent started.
 */
export type StoredJobResult = Pick<JobResult, 'timings'> & Partial<JobResult>;

/** `stored` made whole: what it lacks is what a job whose agent never started has (see `JobResult`). */
export function jobResultOf(stored: StoredJobResult): JobResult {
  return {
    attempts: 0,
    output: '',
    changedFiles: [],
    branch: null,
    commit: null,
    fetchFrom: null,
    ...stored,
  };
}

export interface JobOutcome {
  readonly status: JobStatus;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly error: string | null;
  readonly outputTail: string;
  readonly result: JobResult;
}

/** The path of a job's diff. */
export function diffPath(artifactsDir: string, jobId: string): string {
  return join(artifactsDir, `${jobId}.diff`);
}

/**
 * Runs one job to its end:
 * 1. prepares its workspace (a checkout of its repository, or an empty scratch folder without one);
 * 2. runs the agent there, retrying on the profile's rate-limit signs; the timeout covers this run only,
 *    the idle timeout (no output for that long: `stalled`) this run's silences;
 * 3. runs the repository's `verify` command: a job succeeds only if it passes;
 * 4. records the change (diff, files, branch `flotilla/<job-id>`) and releases the workspace.
 */
export async function runJob(
  context: JobRunContext,
  jobId: string,
  request: JobRequest,
  timings: JobTimings,
  signal: AbortSignal,
): Promise<JobOutcome> {
  // A job recovered after a restart may name what the configuration no longer has.
  const profile = context.config.agents[request.agent];
  if (profile === undefined)
    throw new JobRequestError('agent', `agent "${request.agent}" is no longer configured`);
  const repo = request.repo === undefined ? undefined : context.config.repos[request.repo];
  if (request.repo !== undefined && repo === undefined) {
    throw new JobRequestError('repo', `repository "${request.repo}" is no longer configured`);
  }
  // Stored before `env_allow` existed, or under a profile that allowed more: checked as a new request is.
  assertJobEnvAllowed(request.agent, profile, request.env);
  const emitLine = (stream: 'stdout' | 'stderr', line: string): void =>
    context.emit({ type: 'job.log', jobId, stream, line, at: nowIso() });

  // 1. Workspace.
  let elapsed = stopwatch();
  const workspace =
    request.repo === undefined
      ? undefined
      : await context.workspaces.prepare({
          jobId,
          repo: request.repo,
          ...(request.ref === undefined ? {} : { ref: request.ref }),
          ...(request.paths === undefined ? {} : { paths: request.paths }),
          signal,
        });
  const scratch = workspace === undefined ? context.scratch.acquire() : undefined;
  const cwd = workspace?.path ?? scratch!;
  timings.workspace_ms = Math.round(elapsed());

  try {
    // 2. The agent.
    elapsed = stopwatch();
    // Resolved once, capped to what a timer can wait: the agent and the verify command get the same bound.
    const timeoutMs = timeoutOf(
      profile,
      { timeoutMs: request.timeout_s === undefined ? undefined : request.timeout_s * 1000 },
      context.defaultTimeoutMs,
    );
    const agent = await runAgentWithRetry(
      profile,
      {
        jobId,
        prompt: request.prompt,
        workspace: cwd,
        timeoutMs,
        // The agent's alone: the verify command below has none.
        ...(request.idle_timeout_s === undefined ? {} : { idleTimeoutMs: request.idle_timeout_s * 1000 }),
        // Marks the agent and all it starts, so a restart can find what a crash left running.
        env: { ...request.env, ...jobMarker(context.config.home, jobId) },
      },
      {
        signal,
        env: context.env,
        onLine: emitLine,
        onRetry: (attempt, delayMs) =>
          emitLine(
            'stderr',
            `flotilla: rate limited; attempt ${attempt + 1} in ${Math.round(delayMs / 1000)}s`,
          ),
      },
    );
    timings.run_ms = Math.round(elapsed());
    let status: JobStatus = agent.status;
    let error = agent.error ?? null;

    // 3. Verification.
    let verify: JobResult['verify'];
    if (status === 'succeeded' && repo?.verify !== undefined && request.verify !== false) {
      elapsed = stopwatch();
      // The verification gets the same bound as the agent: a hung test run must not hold the job.
      const check = await runProcess(repo.verify, {
        cwd,
        // Marked like the agent, so a restart also stops a verification a crash left running.
        env: { ...context.env, ...jobMarker(context.config.home, jobId) },
        signal,
        timeoutMs,
        onLine: emitLine,
      });
      timings.verify_ms = Math.round(elapsed());
      verify = { exitCode: check.exitCode, tail: check.tail };
      if (check.cancelled) status = 'cancelled';
      else if (check.timedOut) {
        status = 'timed_out';
        error = `verify timed out after ${timeoutMs / 1000}s (${repo.verify.join(' ')})`;
      } else if (check.exitCode !== 0) {
        status = 'failed';
        error = `verify failed (${repo.verify.join(' ')} exited ${check.exitCode ?? check.signal})`;
      }
    }

    // 4. The change.
    let change = {
      diff: '',
      changedFiles: [] as readonly string[],
      branch: null as string | null,
      commit: null as string | null,
    };
    if (workspace !== undefined && status !== 'cancelled')
      change = await context.workspaces.finish(workspace, signal);
    if (change.diff !== '') writeFileSync(diffPath(context.artifactsDir, jobId), change.diff);
    return {
      status,
      exitCode: agent.exitCode,
      signal: agent.signal,
      error,
      outputTail: agent.tail.join('\n'),
      result: {
        timings,
        attempts: agent.attempts,
        output: agent.output,
        ...(agent.usage === undefined ? {} : { usage: agent.usage }),
        changedFiles: change.changedFiles,
        branch: change.branch,
        commit: change.commit,
        fetchFrom: change.branch === null ? null : (workspace?.basePath ?? null),
        ...(verify === undefined ? {} : { verify }),
      },
    };
  } finally {
    if (workspace !== undefined) await context.workspaces.release(workspace);
    if (scratch !== undefined) context.scratch.release(scratch);
  }
}
