import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertCount, Limiter, mapOrdered } from '../core/index.js';
import { nowIso, type FlotillaEvent, type JobStatus, type SequencedEvent } from '../events/index.js';
import { runProcess } from '../exec/index.js';
import { openStore, type Store } from '../store/index.js';
import { createDemoRepository } from './demo-repository.js';
import { git } from './git.js';

/** The tasks the demo hands to its agents, one job each. */
export const DEMO_PROMPTS: readonly string[] = [
  'Add input validation to greet()',
  'Write tests for add()',
  'Document the public functions',
  'Add a subtract() function',
  'Rename the project to shipyard-demo',
  'Add a CONTRIBUTING guide',
  'Add type annotations with JSDoc',
  'Handle empty names in greet()',
  'Add a multiply() function',
  'Add an .editorconfig',
  'Write a usage example in the README',
  'Add a changelog entry for 0.1.0',
];

/** Options of `runDemo`. */
export interface DemoOptions {
  /** The state folder: the demo's jobs and events go to `<home>/flotilla.db`. */
  readonly home: string;
  /** How many agent jobs to run (at most the number of demo prompts, cycled beyond). @default 12 */
  readonly jobs?: number;
  /** How many jobs run at once. @default 4 */
  readonly concurrency?: number;
  /** Multiplies the example agent's pauses; 0 makes it instant. @default 1 */
  readonly agentSpeed?: number;
  /** The timeout of each job's agent run, in ms. @default 60_000 */
  readonly jobTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called with every event after it is stored. */
  readonly onEvent?: (event: SequencedEvent) => void;
  /** Called once per job before anything runs, with its prompt (for a display's labels). */
  readonly onJob?: (jobId: string, prompt: string) => void;
}

/** What one demo job did. */
export interface DemoJobResult {
  readonly id: string;
  readonly prompt: string;
  readonly status: JobStatus;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly changedFiles: readonly string[];
  readonly error?: string;
}

/** What `runDemo` resolves to. */
export interface DemoResult {
  readonly runId: string;
  readonly concurrency: number;
  readonly peak: number;
  readonly wallMs: number;
  /** The sum of the jobs' own durations: what a sequential run would have taken. */
  readonly sequentialMs: number;
  readonly jobs: readonly DemoJobResult[];
}

const AGENT_PATH = fileURLToPath(new URL('../../examples/agents/demo-agent.mjs', import.meta.url));

/**
 * The main job on embedded defaults: makes a temporary git repository, then runs a batch of agent
 * jobs on it in parallel under a bound — each in its own checkout, with its output streamed as events
 * into the store — and collects what each changed. Cleans up every temporary file it made.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const jobCount = assertCount('jobs', options.jobs ?? DEMO_PROMPTS.length, 1);
  const concurrency = assertCount('concurrency', options.concurrency ?? 4, 1);
  const { signal } = options;
  const runId = `demo-${randomBytes(4).toString('hex')}`;
  const workDir = mkdtempSync(join(tmpdir(), 'flotilla-demo-'));
  const store = openStore({ home: options.home });
  try {
    const emit = (event: FlotillaEvent): void => {
      const stored = store.events.append(event);
      options.onEvent?.(stored);
    };
    const repo = join(workDir, 'repo');
    await createDemoRepository(repo, signal);
    const jobs = Array.from({ length: jobCount }, (_, i) => ({
      id: `${runId}-${String(i + 1).padStart(2, '0')}`,
      prompt: DEMO_PROMPTS[i % DEMO_PROMPTS.length]!,
    }));
    store.runs.insert({
      id: runId,
      kind: 'demo',
      name: 'flotilla demo',
      status: 'running',
      spec: { jobCount, concurrency },
    });
    for (const job of jobs) {
      store.jobs.insert({ id: job.id, agent: 'demo-agent', prompt: job.prompt, repo, spec: { runId } });
      options.onJob?.(job.id, job.prompt);
      emit({ type: 'job.status', jobId: job.id, status: 'queued', at: nowIso() });
    }

    // Checkouts are added and removed one at a time (git locks its own metadata); agents run in parallel.
    const gitLock = new Limiter({ concurrency: 1 });
    let active = 0;
    let peak = 0;
    const started = performance.now();
    const outcome = await mapOrdered(
      jobs,
      async (job, _index, jobSignal) => {
        active++;
        peak = Math.max(peak, active);
        try {
          return await runDemoJob(store, emit, gitLock, repo, join(workDir, job.id), job, options, jobSignal);
        } finally {
          active--;
        }
      },
      { concurrency, stopOnError: false, ...(signal === undefined ? {} : { signal }) },
    );
    const wallMs = performance.now() - started;
    const results = outcome.results.map((settled) => {
      if (settled.status === 'rejected') throw settled.reason;
      return settled.value;
    });
    const failed = results.filter((job) => job.status !== 'succeeded').length;
    const runStatus = failed === 0 ? 'succeeded' : 'failed';
    store.runs.update(runId, { status: runStatus, finishedAt: nowIso() });
    emit({ type: 'run.status', runId, status: runStatus, at: nowIso() });
    const sequentialMs = results.reduce((sum, job) => sum + job.durationMs, 0);
    return { runId, concurrency, peak, wallMs, sequentialMs, jobs: results };
  } catch (error) {
    const status = signal?.aborted === true ? 'cancelled' : 'failed';
    store.runs.update(runId, { status, finishedAt: nowIso(), error: String(error) });
    throw error;
  } finally {
    store.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function runDemoJob(
  store: Store,
  emit: (event: FlotillaEvent) => void,
  gitLock: Limiter,
  repo: string,
  checkout: string,
  job: { id: string; prompt: string },
  options: DemoOptions,
  signal: AbortSignal,
): Promise<DemoJobResult> {
  // 1. Prepare an isolated checkout of the repository for this job alone.
  await gitLock.run(() => git(repo, ['worktree', 'add', '--quiet', '--detach', checkout, 'HEAD'], signal));
  try {
    store.jobs.update(job.id, { status: 'running', startedAt: nowIso() });
    emit({ type: 'job.status', jobId: job.id, status: 'running', at: nowIso() });

    // 2. Run the agent in it; every output line becomes an event.
    const result = await runProcess([process.execPath, AGENT_PATH, job.prompt], {
      cwd: checkout,
      env: { ...process.env, FLOTILLA_JOB_ID: job.id, DEMO_AGENT_SPEED: String(options.agentSpeed ?? 1) },
      timeoutMs: options.jobTimeoutMs ?? 60_000,
      signal,
      onLine: (stream, line) => emit({ type: 'job.log', jobId: job.id, stream, line, at: nowIso() }),
    });
    const status: JobStatus = result.timedOut
      ? 'timed_out'
      : result.cancelled
        ? 'cancelled'
        : result.exitCode === 0
          ? 'succeeded'
          : 'failed';
    const error = status === 'succeeded' ? undefined : (result.tail.at(-1) ?? `exit code ${result.exitCode}`);

    // 3. Collect what it changed (new files included).
    const changedFiles = status === 'succeeded' ? await changedFilesOf(checkout, signal) : [];
    store.jobs.update(job.id, {
      status,
      finishedAt: nowIso(),
      exitCode: result.exitCode,
      signal: result.signal,
      error: error ?? null,
      outputTail: result.tail.join('\n'),
      result: { durationMs: result.durationMs, changedFiles },
    });
    emit({
      type: 'job.result',
      jobId: job.id,
      status,
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: result.durationMs,
      at: nowIso(),
      ...(error === undefined ? {} : { error }),
    });
    return {
      id: job.id,
      prompt: job.prompt,
      status,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      changedFiles,
      ...(error === undefined ? {} : { error }),
    };
  } finally {
    await gitLock.run(() => git(repo, ['worktree', 'remove', '--force', checkout]));
  }
}

async function changedFilesOf(checkout: string, signal: AbortSignal): Promise<string[]> {
  await git(checkout, ['add', '--all'], signal);
  return git(checkout, ['diff', '--cached', '--name-only'], signal);
}
