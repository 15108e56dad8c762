import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { openRuntime, type Runtime } from '../../runtime/index.js';
import {
  REJECT_CHOICES,
  RunError,
  type GateDecision,
  type GateRequest,
  type RunHandle,
  type RunView,
  type StepNeed,
  type WorkflowEngine,
} from '../../workflow/index.js';
import type { CommandContext } from '../context.js';
import { RunDisplay } from '../display/run-display.js';
import { printOutcome } from '../display/run-report.js';
import { ExitCode } from '../exit-codes.js';

/** The runtime of one command that works with workflow runs, local against `--home`, like `flotilla exec`. */
export interface RunSession {
  readonly runtime: Runtime;
  readonly engine: WorkflowEngine;
  /** Shows the run's progress; the TTY approver asks through it. */
  readonly display: RunDisplay;
  /**
   * Starts what a run needs (`engine.needs(definition)` or `engine.needsOfRun(id)`): the job service only
   * when a step's type needs it, so that a workflow of shell steps never takes the job queue of the home.
   * Call it before driving the run.
   */
  prepare(needs: Iterable<StepNeed>): Promise<void>;
  /** Stops the engine (runs it drives become `interrupted`), the job service, then the store. */
  close(): Promise<void>;
}

/**
 * Opens the runtime with its workflow engine started (which marks runs whose process died
 * `interrupted`), asking at gates on the terminal when there is one to ask on.
 */
export async function openRunSession(context: CommandContext): Promise<RunSession> {
  const display = new RunDisplay(context.output);
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const runtime = await openRuntime({
    config: context.config,
    start: ['workflows'],
    ...(interactive ? { approver: terminalApprover(context, display) } : {}),
  });
  runtime.bus.subscribe((event) => display.handle(event));
  return {
    runtime,
    engine: runtime.workflows,
    display,
    prepare: (needs) => runtime.start(needs),
    close: () => runtime.close(),
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

/**
 * Resumes run `id` here in the foreground (see `driveRun`), with what its stored workflow needs started.
 * @returns the exit code the run's end means.
 */
export async function resumeHere(
  context: CommandContext,
  session: RunSession,
  id: string,
  inputs: Readonly<Record<string, string>> = {},
): Promise<ExitCode> {
  await session.prepare(session.engine.needsOfRun(id));
  return driveRun(context, session, (signal) => session.engine.resume(id, { signal, inputs }));
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

/** The name a decision made here is recorded under. */
export function localUser(): string {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

/**
 * Asks at the terminal: `MESSAGE [y/N]` for a gate of approve/reject (anything but y/yes rejects), or the
 * gate's options by number or name, asked again until the answer is one of them.
 */
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
        const ask = (question: string): Promise<string> => rl.question(question, { signal: context.signal });
        if (isApproveReject(request.options)) {
          const answer = await ask(`${request.stepId}: ${request.message} [y/N] `);
          return { approved: /^y(es)?$/i.test(answer.trim()), by: 'tty' };
        }
        const listed = request.options.map((option, index) => `${index + 1}) ${option}`).join('  ');
        for (;;) {
          const answer = (await ask(`${request.stepId}: ${request.message}\n  ${listed}\n  choose: `)).trim();
          const choice =
            request.options[Number(answer) - 1] ??
            request.options.find((option) => option.toLowerCase() === answer.toLowerCase());
          if (choice !== undefined) {
            return { approved: !REJECT_CHOICES.includes(choice.toLowerCase()), choice, by: 'tty' };
          }
        }
      } finally {
        rl.close();
      }
    });
}

/** Whether a gate's options are the plain approve/reject pair, asked as yes or no. */
function isApproveReject(options: readonly string[]): boolean {
  return options.length === 2 && options[0] === 'approve' && options[1] === 'reject';
}
