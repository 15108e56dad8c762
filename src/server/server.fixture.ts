import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { expect, onTestFinished } from 'vitest';
import {
  loadConfig,
  type AgentProfile,
  type Environment,
  type QaConfig,
  type ResolvedConfig,
  type SuitesConfig,
} from '../config/index.js';
import type { JobStatus } from '../events/index.js';
import { HOLD_AGENT, initRepository } from '../../test/helpers/git.js';
import type { JobScheduler } from '../jobs/index.js';
import { openRuntime, type Runtime } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import type { AnyStepType, WorkflowEngine } from '../workflow/index.js';
import type { AppDeps } from './app-deps.js';
import { createApp } from './app.js';
import { startServer, type RunningServer } from './start-server.js';

/** Options of `createHarness`. */
export interface HarnessOptions {
  readonly concurrency?: number;
  readonly maxQueue?: number;
  /** The bearer token: the app's, and the configuration's `server.token`. */
  readonly token?: string;
  /** The environment the runtime copies for its agents and shell steps. @default `process.env` */
  readonly env?: Environment;
  readonly maxBodyBytes?: number;
  readonly heartbeatMs?: number;
  readonly agents?: Record<string, AgentProfile>;
  /** Step types registered beside the built-in ones. */
  readonly stepTypes?: readonly AnyStepType[];
  /** `server.allow_shell_steps`: most tests of runs use shell steps. @default true */
  readonly allowShellSteps?: boolean;
  /** `server.workflows_dir`: the folder `POST /v1/runs` may load workflow files from; none by default. */
  readonly workflowsDir?: string;
  /** `suites:` of the configuration (what `type: suites` steps may run). */
  readonly suites?: SuitesConfig;
  /** `qa:` of the configuration, over its defaults (`rate_limit: 0` spares crawl tests the spacing). */
  readonly qa?: Partial<QaConfig>;
}

/** A real runtime (store, job service, workflow engine) and app in a temporary home, with agents the test controls. */
export interface Harness {
  readonly config: ResolvedConfig;
  readonly runtime: Runtime;
  readonly store: Store;
  readonly jobs: JobScheduler;
  readonly workflows: WorkflowEngine;
  readonly app: Hono;
  /** What `createApp` got: pass it to `startServer` with a host and port. */
  readonly deps: AppDeps;
  /** Lets a `hold` job finish with `exitCode`. */
  release(jobId: string, exitCode?: number): void;
  /** Resolves when the job reaches `status` (checks the store first, then waits on the bus). */
  reach(jobId: string, status: JobStatus): Promise<void>;
  /** Starts a real server for this harness on a free port; it is closed with the harness. */
  listen(host?: string): Promise<RunningServer>;
  /**
   * Closes the harness's servers and the runtime, and removes the temporary folder.
   * Runs by itself when the test finishes; calling it earlier is fine.
   */
  close(): Promise<void>;
}

/**
 * Agents of the harness: `hold` (prints `start ID`, writes note.txt, waits for `release`), `echo`
 * (prints `hello` and its prompt), `sleepy` (a grandchild that sleeps; prints its pid), `fail`.
 */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-server-'));
  const gates = join(dir, 'gates');
  mkdirSync(gates);
  const source = join(dir, 'source');
  mkdirSync(source);
  initRepository(source);
  const home = join(dir, 'home');
  const base = loadConfig({
    cwd: dir,
    env: {},
    flags: { home, concurrency: options.concurrency ?? 2, maxQueue: options.maxQueue ?? 100 },
  });
  const config: ResolvedConfig = {
    ...base,
    server: {
      ...base.server,
      allow_shell_steps: options.allowShellSteps ?? true,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.workflowsDir === undefined ? {} : { workflows_dir: options.workflowsDir }),
    },
    agents: {
      hold: { type: 'cli', command: [process.execPath, HOLD_AGENT, gates, '{job_id}', 'note.txt'] },
      echo: {
        type: 'cli',
        command: [process.execPath, '-e', 'console.log("hello"); console.log(process.argv[1])', '{prompt}'],
      },
      sleepy: { type: 'cli', command: ['sh', '-c', 'sleep 1000 & echo $!; wait'] },
      fail: { type: 'cli', command: ['sh', '-c', 'echo boom >&2; exit 3'] },
      ...options.agents,
    },
    repos: { app: { path: source } },
    ...(options.suites === undefined ? {} : { suites: options.suites }),
    qa: { ...base.qa, ...options.qa },
  };
  const runtime = await openRuntime({
    config,
    start: ['jobs', 'workflows', 'qa'],
    // As `flotilla serve` does: the server's concurrency bounds the processes steps start too.
    processConcurrency: config.server.concurrency,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.stepTypes === undefined ? {} : { stepTypes: options.stepTypes }),
  });
  const { jobs, store, workflows } = runtime;
  const deps: AppDeps = {
    runtime,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  };
  const servers: RunningServer[] = [];
  let closing: Promise<void> | undefined;
  const harness: Harness = {
    config,
    runtime,
    store,
    jobs,
    workflows,
    app: createApp(deps),
    deps,
    release: (jobId, exitCode = 0) => writeFileSync(join(gates, jobId), String(exitCode)),
    reach: (jobId, status) =>
      new Promise((resolve) => {
        const off = jobs.bus.subscribe((event) => {
          if ('jobId' in event && event.jobId === jobId && 'status' in event && event.status === status) {
            off();
            resolve();
          }
        });
        // Subscribed first, so that a change between the look and the subscription is not missed.
        void jobs.get(jobId).then((job) => {
          if (job?.status !== status) return;
          off();
          resolve();
        });
      }),
    listen: async (host = '127.0.0.1') => {
      const server = await startServer({ host, port: 0, ...deps });
      // Closing twice (by the test, then with the harness) must be harmless.
      let closed: Promise<void> | undefined;
      const once: RunningServer = { ...server, close: () => (closed ??= server.close()) };
      servers.push(once);
      return once;
    },
    close: () =>
      (closing ??= (async () => {
        for (const server of servers.reverse()) await server.close();
        await runtime.close();
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
  onTestFinished(() => harness.close());
  return harness;
}

export { alive } from '../../test/helpers/processes.js';

/** Matchers typed `unknown`, so that object literals of expectations stay typed. */
export const ANY_STRING: unknown = expect.any(String);
export const ANY_NUMBER: unknown = expect.any(Number);
export function matching(pattern: RegExp | string): unknown {
  return typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern);
}

/** A JSON request for `app.request()`. */
export function jsonRequest(method: string, body: unknown, headers: Record<string, string> = {}) {
  return {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** One block of an SSE stream as received: a message, or a comment (heartbeat). */
export interface SseBlock {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
}

/** Reads an SSE response block by block until the server closes it (or the caller stops). */
export async function* sseBlocks(response: Response): AsyncGenerator<SseBlock> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block: Record<string, string> = {};
      for (const line of buffer.slice(0, end).split('\n')) {
        if (line.startsWith(':')) block.comment = line.slice(1).trim();
        const colon = line.indexOf(':');
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id' || field === 'event') block[field] = value;
        if (field === 'data') block.data = block.data === undefined ? value : `${block.data}\n${value}`;
      }
      buffer = buffer.slice(end + 2);
      yield block;
    }
  }
}
