import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.js';
import { assertCount, stopwatch } from '../core/index.js';
import type { JobStatus, RunStatus, SequencedEvent } from '../events/index.js';
import type { PlanDecomposition, PlanOutput } from '../plan/index.js';
import { openRuntime } from '../runtime/index.js';
import { hasCode } from '../core/index.js';
import { CHECK_IDS, DEFAULT_BUDGETS, startQaRun, type QaReport } from '../qa/index.js';
import { createDemoRepository } from './demo-repository.js';
import { startDemoSite } from './demo-site.js';

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
  /** The state folder: the demo's jobs and their events go to `<home>/flotilla.db`. */
  readonly home: string;
  /** How many agent jobs to run (the demo prompts, cycled). @default 12 */
  readonly jobs?: number;
  /** How many jobs run at once. @default 4 */
  readonly concurrency?: number;
  /** Multiplies the example agent's pauses; 0 makes it instant. @default 1 */
  readonly agentSpeed?: number;
  /** Seconds each job's agent may run. @default 60 */
  readonly jobTimeoutS?: number;
  /** Aborting it cancels every job (their processes are killed) and rejects with its reason. */
  readonly signal?: AbortSignal;
  /** Called with every event after it is stored. */
  readonly onEvent?: (event: SequencedEvent) => void;
  /** Called once per job as it is queued, with its prompt (for a display's labels). */
  readonly onJob?: (jobId: string, prompt: string) => void;
  /** After the jobs, crawl a small site the demo serves with the QA crawler (needs Chromium). @default true */
  readonly crawl?: boolean;
  /** Called when the crawl's run starts, with its id (for a display). */
  readonly onCrawl?: (runId: string, url: string) => void;
  /** After the jobs, run a plan over the demo's repository (`flotilla plan`, docs/plan.md). @default true */
  readonly plan?: boolean;
  /** Called when the plan's run starts, with its id and its leaves (for a display). */
  readonly onPlan?: (
    runId: string,
    leaves: readonly { readonly id: string; readonly path: string }[],
  ) => void;
}

/** What the demo's plan did. */
export interface DemoPlanResult {
  readonly runId: string;
  readonly status: RunStatus;
  readonly wallMs: number;
  /** The plan step's output; `null` when it failed before deciding its leaves. */
  readonly output: PlanOutput | null;
  readonly error: string | null;
}

/** What the demo's crawl did, or why it was skipped. */
export type DemoCrawlResult =
  | {
      readonly runId: string;
      readonly url: string;
      readonly workers: number;
      readonly wallMs: number;
      readonly report: QaReport;
    }
  | { readonly skipped: string };

/** What one demo job did. */
export interface DemoJobResult {
  readonly id: string;
  readonly prompt: string;
  readonly status: JobStatus;
  readonly exitCode: number | null;
  /** The agent's run, not counting the wait in the queue or the workspace. */
  readonly durationMs: number;
  readonly workspaceMs: number;
  readonly changedFiles: readonly string[];
  readonly error?: string;
}

/** What `runDemo` resolves to. */
export interface DemoResult {
  readonly concurrency: number;
  readonly peak: number;
  readonly wallMs: number;
  /** The sum of the jobs' own run times: what a sequential run would have taken. */
  readonly sequentialMs: number;
  readonly jobs: readonly DemoJobResult[];
  /** The plan after the jobs; `undefined` when not asked for. */
  readonly plan?: DemoPlanResult;
  /** The crawl after the jobs; `undefined` when not asked for. */
  readonly crawl?: DemoCrawlResult;
}

const AGENT_PATH = fileURLToPath(new URL('../../examples/agents/demo-agent.mjs', import.meta.url));
const PLAN_AGENT_PATH = fileURLToPath(new URL('../../examples/agents/plan-agent.mjs', import.meta.url));

/**
 * The main job on embedded defaults: makes a temporary git repository and runs a batch of agent jobs on
 * it through the job service — queued, bounded, each in its own checkout, every output line stored as an
 * event — then reports what each changed. The jobs stay in the store; the repository, its warm base and
 * the checkouts are temporary and removed at the end.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const jobCount = assertCount('jobs', options.jobs ?? DEMO_PROMPTS.length, 1);
  const concurrency = assertCount('concurrency', options.concurrency ?? 4, 1);
  const { signal } = options;
  signal?.throwIfAborted();
  const workDir = mkdtempSync(join(tmpdir(), 'flotilla-demo-'));
  const repo = join(workDir, 'shipyard');
  const base = loadConfig({
    cwd: workDir,
    env: {},
    flags: { home: options.home, concurrency, maxQueue: jobCount },
  });
  const config = {
    ...base,
    agents: {
      'demo-agent': {
        type: 'cli' as const,
        command: [process.execPath, AGENT_PATH, '{prompt}'],
        env: { DEMO_AGENT_SPEED: String(options.agentSpeed ?? 1) },
        timeout_s: options.jobTimeoutS ?? 60,
      },
      'plan-agent': {
        type: 'cli' as const,
        command: [process.execPath, PLAN_AGENT_PATH, '{prompt}'],
        timeout_s: options.jobTimeoutS ?? 60,
      },
    },
    repos: { shipyard: { path: repo } },
  };
  // Workspaces live in the temporary folder: the demo leaves no warm base behind in the user's home.
  const runtime = await openRuntime({ config, workspacesHome: join(workDir, 'state') });
  const service = runtime.jobs;
  let active = 0;
  let peak = 0;
  const unsubscribe = service.bus.subscribe((event) => {
    if (event.type === 'job.status' && event.status === 'running') peak = Math.max(peak, ++active);
    if (event.type === 'job.result') active--;
    options.onEvent?.(event);
  });
  const ids: string[] = [];
  const cancelAll = (): void => {
    for (const id of ids) void service.cancel(id);
  };
  try {
    await createDemoRepository(repo, signal);
    await runtime.start(['jobs']);
    signal?.addEventListener('abort', cancelAll, { once: true });
    const elapsed = stopwatch();
    for (let i = 0; i < jobCount; i++) {
      const prompt = DEMO_PROMPTS[i % DEMO_PROMPTS.length]!;
      const job = await service.submit({ agent: 'demo-agent', prompt, repo: 'shipyard' });
      ids.push(job.id);
      options.onJob?.(job.id, prompt);
    }
    const finished = await Promise.all(ids.map((id) => service.wait(id)));
    const wallMs = elapsed();
    signal?.throwIfAborted();
    const jobs = finished.map((job): DemoJobResult => {
      const result = job!.result;
      return {
        id: job!.id,
        prompt: job!.prompt,
        status: job!.status,
        exitCode: job!.exit_code,
        durationMs: result?.timings.run_ms ?? 0,
        workspaceMs: result?.timings.workspace_ms ?? 0,
        changedFiles: result?.changedFiles ?? [],
        ...(job!.error === null ? {} : { error: job!.error }),
      };
    });
    const sequentialMs = jobs.reduce((sum, job) => sum + job.durationMs, 0);
    // The batch's own peak: the plan's leaves are jobs of the same service, counted by the plan itself.
    const batchPeak = peak;
    const plan = options.plan === false ? undefined : await planDemoRepository(runtime, concurrency, options);
    const crawl = options.crawl === false ? undefined : await crawlDemoSite(runtime, options);
    return {
      concurrency,
      peak: batchPeak,
      wallMs,
      sequentialMs,
      jobs,
      ...(plan === undefined ? {} : { plan }),
      ...(crawl === undefined ? {} : { crawl }),
    };
  } finally {
    signal?.removeEventListener('abort', cancelAll);
    unsubscribe();
    await runtime.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The demo's plan: a task over every file of its repository, a leaf per folder. */
const DEMO_PLAN = (concurrency: number): string => `schema_version: 1
workflow: { id: demo-plan, name: "plan: add a header to every file" }
steps:
  - id: plan
    type: plan
    dir: shipyard
    task: Add a header naming the file's owner
    agent: plan-agent
    max_files: 2
    min_files: 1
    max_parallel: ${concurrency}
`;

/**
 * Runs a plan over the demo's repository, as `flotilla plan` does: its files split by folder into leaves,
 * each leaf a job of the same job service, their changes merged onto `flotilla/plan-<id>`.
 */
async function planDemoRepository(
  runtime: Awaited<ReturnType<typeof openRuntime>>,
  concurrency: number,
  options: DemoOptions,
): Promise<DemoPlanResult> {
  await runtime.start(['workflows']);
  const elapsed = stopwatch();
  const handle = runtime.workflows.run(
    runtime.workflows.parse(DEMO_PLAN(concurrency)),
    {},
    {
      kind: 'plan',
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  const decided = (): PlanDecomposition | undefined =>
    runtime.store.items.get(handle.id, 'plan:decompose')?.output as PlanDecomposition | undefined;
  // The leaves are known once the plan decided them: its first item. Each leaf's job is named by its leaf
  // (its request's metadata) as soon as it is queued, before a display shows it start.
  const unsubscribe = runtime.bus.subscribe((event) => {
    if (event.type === 'item.status' && event.itemId === 'plan:decompose' && event.status === 'succeeded') {
      options.onPlan?.(handle.id, decided()?.leaves ?? []);
    } else if (event.type === 'job.status' && event.status === 'queued') {
      const spec = runtime.store.jobs.get(event.jobId)?.spec as
        { metadata?: { plan_leaf?: unknown } } | undefined;
      const leaf = decided()?.leaves.find((one) => one.id === spec?.metadata?.plan_leaf);
      if (leaf !== undefined) options.onJob?.(event.jobId, `leaf ${leaf.id}  ${leaf.path}`);
    }
  });
  try {
    const view = await handle.done;
    options.signal?.throwIfAborted();
    return {
      runId: view.id,
      status: view.status,
      wallMs: elapsed(),
      output: (view.steps['plan']?.output ?? null) as PlanOutput | null,
      error: view.steps['plan']?.error ?? view.error,
    };
  } finally {
    unsubscribe();
  }
}

/** How many browser contexts the demo's crawl tests pages with. */
const DEMO_CRAWL_WORKERS = 4;

/**
 * Crawls the demo's own site as a QA run of the runtime's store: 4 contexts of one Chromium, every
 * page tested once. Without Chromium, the crawl is skipped with the command that installs it.
 */
async function crawlDemoSite(
  runtime: Awaited<ReturnType<typeof openRuntime>>,
  options: DemoOptions,
): Promise<DemoCrawlResult> {
  const site = await startDemoSite();
  try {
    const elapsed = stopwatch();
    const run = startQaRun(
      {
        urls: [site.url],
        workers: DEMO_CRAWL_WORKERS,
        max_pages: 50,
        max_depth: 5,
        rate_limit: 0,
        allow_origins: [],
        keep_params: [],
        ignore_params: [],
        ignore_robots: false,
        sitemap: false,
        fail_on: 'critical',
        checks: CHECK_IDS,
        budgets: DEFAULT_BUDGETS,
        external_links: false,
        ignore_console: [],
        screenshot_on: 'none',
      },
      { store: runtime.store, bus: runtime.bus, env: runtime.env },
      options.signal === undefined ? {} : { signal: options.signal },
    );
    options.onCrawl?.(run.id, site.url);
    let report: QaReport;
    try {
      report = await run.done;
    } catch (error) {
      if (hasCode(error, 'E_NO_BROWSER')) return { skipped: (error as Error).message };
      throw error;
    }
    options.signal?.throwIfAborted();
    return { runId: run.id, url: site.url, workers: DEMO_CRAWL_WORKERS, wallMs: elapsed(), report };
  } finally {
    await site.close();
  }
}
