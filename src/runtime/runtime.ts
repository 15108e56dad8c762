import { join } from 'node:path';
import type { Environment, ResolvedConfig } from '../config/index.js';
import { Limiter } from '../core/index.js';
import { EventBus } from '../events/index.js';
import { JobService, type JobScheduler } from '../jobs/index.js';
import { QaRunner } from '../qa/index.js';
import { openStore, type Store } from '../store/index.js';
import {
  WorkflowEngine,
  type AnyStepType,
  type GateDecision,
  type GateRequest,
  type StepNeed,
} from '../workflow/index.js';
import { WorkspaceManager } from '../workspace/index.js';
import { stepTypes } from './step-types.js';

/**
 * A part of the runtime that `start` can start: the job scheduler, the workflow engine, the QA runs'
 * sweep (which marks `interrupted` the crawls a dead process left `running`).
 */
export type RuntimeService = 'jobs' | 'workflows' | 'qa';

/** Options of `openRuntime`. */
export interface RuntimeOptions {
  /** The resolved configuration: the home (`<home>/flotilla.db`), agents, repositories, bounds. */
  readonly config: ResolvedConfig;
  /** What to start before `openRuntime` resolves. @default nothing: start each with `start` */
  readonly start?: readonly RuntimeService[];
  /** Step types registered beside the built-in ones and the capabilities' (a plugin, a test's fixture). */
  readonly stepTypes?: readonly AnyStepType[];
  /** Asks a human at a gate (a terminal); without it, a gate pauses its run. */
  readonly approver?: (request: GateRequest) => Promise<GateDecision | undefined>;
  /**
   * The environment agents, `setup` and `verify` commands and shell steps inherit, and that `${VAR}` in agent
   * profiles is read from — without Flotilla's own secrets (`withoutSecrets`): nothing the runtime starts
   * sees the server's token.
   * @default a copy of `process.env` taken now
   */
  readonly env?: Environment;
  /** Where the job checkouts and warm bases live. @default `config.home` */
  readonly workspacesHome?: string;
  /** The timeout of a job whose request and profile set none. @default 30 minutes */
  readonly defaultJobTimeoutMs?: number;
  /** How often a run's driver renews its lease. @default 2 s */
  readonly heartbeatMs?: number;
  /** How long a run's lease outlives its driver's last heartbeat. @default 30 s */
  readonly leaseTtlMs?: number;
  /**
   * How many processes steps may run at once (`shell` steps' commands), beside the jobs' own bound.
   * `flotilla serve` gives `server.concurrency`, so nothing a client sends runs unbounded.
   * @default Infinity
   */
  readonly processConcurrency?: number;
}

/** Everything one process of Flotilla works with, opened together and closed together. */
export interface Runtime {
  readonly config: ResolvedConfig;
  readonly store: Store;
  /** The environment everything the runtime starts inherits: `RuntimeOptions.env` without Flotilla's secrets. */
  readonly env: Environment;
  /** Every event of jobs and runs, after it is stored. */
  readonly bus: EventBus;
  /** Runs agent jobs: this process's `JobService` (one home, one `Limiter`). */
  readonly jobs: JobScheduler;
  /** Runs workflows, with every registered step type; its agent steps go through `jobs`. */
  readonly workflows: WorkflowEngine;
  /** The bound on processes steps run themselves (see `RuntimeOptions.processConcurrency`). */
  readonly processes: Limiter;
  /**
   * QA crawls (`POST /v1/qa`, `type: qa` steps): at most `qa.max_runs` at once, each with its own
   * Chromium, one politeness for all of them (`qa.rate_limit` per host across runs); requests that would
   * wait beyond `server.max_queue` are refused.
   */
  readonly qa: QaRunner;
  /**
   * Starts the services named, or those a workflow needs (`workflows.needs(definition)`); a service
   * already started is left as it is. The job scheduler takes the home's lease: it throws
   * `E_HOME_BUSY` while another process runs the jobs of this home.
   */
  start(services: Iterable<RuntimeService | StepNeed>): Promise<void>;
  /**
   * Stops the workflow engine (the runs it drives become `interrupted`), then the QA runs (`interrupted`,
   * their browsers closed), then the job scheduler (running jobs become `interrupted`, queued ones stay
   * queued), then closes the store — each whatever the one before did. Calling it again waits for the
   * same close.
   */
  close(): Promise<void>;
}

/** The variable that holds the server's token (`server.token`) in the environment Flotilla starts with. */
const TOKEN_VARIABLE = 'FLOTILLA_TOKEN';

/**
 * A copy of `env` without Flotilla's own secrets, for every process the runtime starts: `FLOTILLA_TOKEN`,
 * and any variable whose value is the configured `server.token` (a token given by `--token`, or kept
 * under another name too). An agent misled by its prompt must not be able to call the server's API;
 * a profile that needs a key of its own passes it in its `env:` (`ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY}`).
 */
export function withoutSecrets(env: Environment, token: string | undefined): Environment {
  const copy: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name === TOKEN_VARIABLE || (token !== undefined && value === token)) continue;
    copy[name] = value;
  }
  return copy;
}

/**
 * The one composition root: opens the store of `config.home`, makes the job scheduler and the workflow
 * engine on it with one event bus, and registers every step type (built-in, the capabilities', the
 * caller's). The CLI commands, the demo, the server and the tests all start here, so a capability plugs
 * in by adding its step types to `stepTypes` and nothing else.
 */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config } = options;
  const env = withoutSecrets(options.env ?? process.env, config.server.token);
  const store = openStore({ home: config.home });
  const bus = new EventBus();
  const jobs = new JobService({
    store,
    bus,
    config,
    env,
    workspaces: new WorkspaceManager({
      home: options.workspacesHome ?? config.home,
      repos: config.repos,
      env,
    }),
    ...(options.defaultJobTimeoutMs === undefined ? {} : { defaultTimeoutMs: options.defaultJobTimeoutMs }),
  });
  const processes = new Limiter({ concurrency: options.processConcurrency ?? Infinity });
  const qa = new QaRunner({
    store,
    bus,
    env,
    maxRuns: config.qa.max_runs,
    maxQueued: config.server.max_queue,
    rateLimit: config.qa.rate_limit,
    // Where a `qa` step writes its report: a workflow sent over HTTP never chooses where the server writes.
    reportsDir: join(config.home, 'qa'),
  });
  const workflows = new WorkflowEngine({
    store,
    bus,
    stepTypes: [...stepTypes({ config, store, qa }), ...(options.stepTypes ?? [])],
    services: { jobs, processes },
    env,
    agents: Object.keys(config.agents),
    ...(options.approver === undefined ? {} : { approver: options.approver }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      try {
        // First: a workflow's qa steps stop with their runs.
        await workflows.stop();
      } finally {
        try {
          await qa.stop();
        } finally {
          try {
            await jobs.stop();
          } finally {
            store.close();
          }
        }
      }
    })());

  // Each service's start, once asked for; a start that failed is forgotten, so it can be asked for again.
  const starts = new Map<RuntimeService, Promise<void>>();
  const startOne = (service: RuntimeService): Promise<void> => {
    let started = starts.get(service);
    if (started === undefined) {
      started =
        service === 'jobs'
          ? jobs.start()
          : service === 'workflows'
            ? workflows.start()
            : Promise.resolve().then(() => qa.startSweep());
      starts.set(service, started);
      started.catch(() => starts.delete(service));
    }
    return started;
  };
  const start = async (services: Iterable<RuntimeService | StepNeed>): Promise<void> => {
    const wanted = new Set(services);
    // The scheduler first: runs resumed by the engine may submit jobs at once.
    for (const service of ['jobs', 'workflows', 'qa'] as const) {
      if (wanted.has(service)) await startOne(service);
    }
  };

  const runtime: Runtime = { config, store, env, bus, jobs, workflows, processes, qa, start, close };
  try {
    await start(options.start ?? []);
  } catch (error) {
    await close();
    throw error;
  }
  return runtime;
}
