import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { EventBus } from '../../events/index.js';
import { JobService } from '../../jobs/index.js';
import { openStore, type Store } from '../../store/index.js';
import {
  RunError,
  BUILTIN_STEP_TYPES,
  WorkflowEngine,
  type GateDecision,
  type GateRequest,
  type RunHandle,
  type RunView,
} from '../../workflow/index.js';
import { WorkspaceManager } from '../../workspace/index.js';
import type { CommandContext } from '../context.js';
import { RunDisplay } from '../display/run-display.js';
import { printOutcome } from '../display/run-report.js';
import { ExitCode } from '../exit-codes.js';

/** Step types that never need the job service; any other (agent, plan, …) starts it. */
const STEPS_WITHOUT_JOBS: ReadonlySet<string> = new Set(['shell', 'fan-out', 'fan-in', 'if', 'gate']);

/** A store and a workflow engine for one command, local against `--home`, like `flotilla exec`. */
export interface RunSession {
  readonly store: Store;
  readonly engine: WorkflowEngine;
  /** Shows the run's progress; the TTY approver asks through it. */
  readonly display: RunDisplay;
  /**
   * Starts the job service (with the configuration's concurrency and queue bound) when any of `steps` (a
   * definition's `steps`, or a stored run's, searched through nested ones) is of a type that may need
   * agents. Call it before driving a run.
   */
  prepare(steps: unknown): Promise<void>;
  /** Stops the engine (runs it drives become `interrupted`), the job service, then the store. */
  close(): Promise<void>;
}

/**
 * Opens the store and a workflow engine with a job service sharing its event bus (started only by
 * `prepare`, so that a workflow of shell steps never touches the job queue of the home), asking at
 * gates on the terminal when there is one to ask on.
 */
export function openRunSession(context: CommandContext): RunSession {
  const { config } = context;
  const store = openStore({ home: config.home });
  const bus = new EventBus();
  const display = new RunDisplay(context.output);
  const jobs = new JobService({
    store,
    bus,
    config,
    workspaces: new WorkspaceManager({ home: config.home, repos: config.repos }),
  });
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const engine = new WorkflowEngine({
    store,
    stepTypes: BUILTIN_STEP_TYPES,
    bus,
    jobs,
    ...(interactive ? { approver: terminalApprover(context, display) } : {}),
  });
  bus.subscribe((event) => display.handle(event));
  let jobsStarted = false;
  return {
    store,
    engine,
    display,
    prepare: async (steps) => {
      if (jobsStarted || !needsJobs(steps)) return;
      jobsStarted = true;
      await jobs.start();
    },
    close: async () => {
      try {
        await engine.stop();
        await jobs.stop();
      } finally {
        store.close();
      }
    },
  };
}

/**
 * Drives a run in the foreground: the live display until it stops, then the run as one JSON document
 * (`--json`) or its steps and what to do next. `start` creates or resumes the run; it receives the
 * command's signal, whose abort (Ctrl-C) leaves the run `interrupted`.
 * @returns the exit code the run's end means.
 */
export async function driveRun(
  context: CommandContext,
  session: RunSession,
  start: (signal: AbortSignal) => RunHandle,
): Promise<ExitCode> {
  const { output, signal } = context;
  session.display.start();
  let view: RunView;
  try {
    view = await start(signal).done;
  } finally {
    session.display.stop();
  }
  if (output.json) output.document(view);
  else printOutcome(output, view);
  return exitCodeOfRun(view);
}

/** 0 for a run that succeeded or waits at a gate, 130 for one interrupted, 1 otherwise. */
export function exitCodeOfRun(view: RunView): ExitCode {
  switch (view.status) {
    case 'succeeded':
    case 'paused':
      return ExitCode.Ok;
    case 'interrupted':
      return ExitCode.Interrupted;
    default:
      return ExitCode.Failures;
  }
}

/** The view of a run this session knows, or `E_RUN_NOT_FOUND`. */
export function viewOf(session: RunSession, id: string): RunView {
  const view = session.engine.view(id);
  if (view === undefined) throw new RunError('E_RUN_NOT_FOUND', `No run ${id}`);
  return view;
}

/** The steps a stored run will execute (its spec's definition), for `openRunSession`. */
export function storedSteps(store: Store, id: string): unknown {
  const spec = store.runs.get(id)?.spec as { definition?: { steps?: unknown } } | null | undefined;
  return spec?.definition?.steps;
}

/** The name a decision made here is recorded under. */
export function localUser(): string {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

/** Asks `MESSAGE [y/N]` on the terminal; anything but y/yes rejects. */
function terminalApprover(
  context: CommandContext,
  display: RunDisplay,
): (request: GateRequest) => Promise<GateDecision | undefined> {
  // In --json mode stdout carries only the document: ask on stderr.
  const terminal = context.output.json ? process.stderr : process.stdout;
  return (request) =>
    display.aside(async () => {
      const rl = createInterface({ input: process.stdin, output: terminal });
      // The terminal is in raw mode while asking, so Ctrl-C reaches readline, not the process: pass it on.
      rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
      try {
        const answer = await rl.question(`${request.stepId}: ${request.message} [y/N] `, {
          signal: context.signal,
        });
        return { approved: /^y(es)?$/i.test(answer.trim()), by: 'tty' };
      } finally {
        rl.close();
      }
    });
}

/** Whether any step in `steps` (searched through nested ones) is of a type that may need agent jobs. */
function needsJobs(steps: unknown): boolean {
  if (Array.isArray(steps)) return steps.some(needsJobs);
  if (steps === null || typeof steps !== 'object') return false;
  const record = steps as Record<string, unknown>;
  if (
    typeof record.id === 'string' &&
    typeof record.type === 'string' &&
    !STEPS_WITHOUT_JOBS.has(record.type)
  ) {
    return true;
  }
  return Object.values(record).some(needsJobs);
}
