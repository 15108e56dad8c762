import { readFileSync } from 'node:fs';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { CancelledError } from '../core/index.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerExecCommand } from './commands/exec.js';
import { registerJobsCommand } from './commands/jobs.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerQaCommand } from './commands/qa.js';
import { registerRunCommand } from './commands/run.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSuitesCommand } from './commands/suites.js';
import type { CommandState, GlobalOptions } from './context.js';
import { describeError, exitCodeOf } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { Output } from './output.js';

/** The package version, read from package.json (one folder above `src/` and `dist/`). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The whole command tree. Exposed for tests and `--help` rendering. */
export function createProgram(signal: AbortSignal, state: CommandState): Command<[], GlobalOptions> {
  const program = new Command('flotilla')
    .description(
      'Run fleets of coding-agent and QA jobs in parallel, safely: bounded, queued, isolated, durable.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--config <file>', 'configuration file (default: ./flotilla.config.yaml when present)')
    .option(
      '--home <dir>',
      'state folder: database, workspaces, logs (default: $FLOTILLA_HOME or ./.flotilla)',
    )
    .option('--json', 'print one JSON document on stdout and nothing else')
    .showHelpAfterError('(run `flotilla --help` for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes: 0 success · 1 the work found failures · 2 usage or configuration error · 130 interrupted`,
    );
  registerDemoCommand(program, signal, state);
  registerExecCommand(program, signal, state);
  registerServeCommand(program, signal, state);
  registerJobsCommand(program, signal, state);
  registerRunCommand(program, signal, state);
  registerRunsCommand(program, signal, state);
  registerSuitesCommand(program, signal, state);
  registerQaCommand(program, signal, state);
  registerPlanCommand(program, signal, state);
  return program;
}

/** Whether `FLOTILLA_DEBUG` asks for stack traces: set, and neither empty nor `0`. */
function isDebug(): boolean {
  const value = process.env.FLOTILLA_DEBUG;
  return value !== undefined && value !== '' && value !== '0';
}

/** The stack of `error`, then of each `cause` under it, for `FLOTILLA_DEBUG`. */
function stacksOf(error: unknown): string[] {
  const stacks: string[] = [];
  for (let at: unknown = error; at instanceof Error && stacks.length < 10; at = at.cause) {
    stacks.push(`${stacks.length === 0 ? '' : 'caused by: '}${at.stack ?? String(at)}`);
  }
  return stacks;
}

/** Runs the CLI on `argv` (as `process.argv`) and resolves to the exit code. Never exits the process. */
export async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (name: NodeJS.Signals): void => {
    if (interrupted) {
      // A second Ctrl-C: the user does not want to wait for cleanup.
      process.exit(ExitCode.Interrupted);
    }
    interrupted = true;
    process.stderr.write(`\nInterrupted (${name}): stopping running work… (press Ctrl-C again to force)\n`);
    controller.abort(new CancelledError(`Interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const state: CommandState = { exitCode: ExitCode.Ok, json: argv.includes('--json') };
  const program = createProgram(controller.signal, state);
  try {
    await program.parseAsync([...argv]);
    return interrupted ? ExitCode.Interrupted : state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; commander already printed the message.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const output = new Output(state.json);
    const { code, message } = describeError(error);
    if (state.json) output.document({ error: { code, message } });
    output.error(`flotilla: ${message}`);
    // Stack traces are for those who ask: an expected failure is its one line above.
    if (isDebug()) for (const stack of stacksOf(error)) output.error(stack);
    return exitCodeOf(error, interrupted);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
