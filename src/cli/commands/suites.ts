import { join, resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { openRuntime } from '../../runtime/index.js';
import { newRecordId } from '../../store/index.js';
import { runSuites } from '../../suites/index.js';
import { createContext, type CommandState, type GlobalOptions } from '../context.js';
import { attemptEndLine, attemptStartLine, printSuitesRun } from '../display/suites-report.js';
import { ExitCode } from '../exit-codes.js';
import { parseCount } from '../parse.js';
import { style } from '../style.js';
import { UsageError } from '../errors.js';

/**
 * `flotilla suites`: the configured test suites (`suites:` in flotilla.config.yaml), in parallel by
 * default, with live output prefixed by suite, a final table and one evidence folder (docs/suites.md).
 */
export function registerSuitesCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  state: CommandState,
): void {
  program
    .command('suites')
    .description('run the test suites of suites: in parallel, with retries, flaky detection and evidence')
    .argument('[names...]', 'the suites to run (default: every enabled one); what they depend on runs too')
    .addOption(new Option('--parallel', 'run suites at the same time (the default)').conflicts('sequential'))
    .addOption(new Option('--sequential', 'run suites one after the other, in the declared order'))
    .addOption(
      new Option(
        '--max-workers <n>',
        'suites at once (default: the number of suites, at most the CPUs)',
      ).argParser(parseCount('--max-workers', 1)),
    )
    .addOption(
      new Option('--retries <n>', 'attempts after a failed one, for every suite').argParser(
        parseCount('--retries', 0),
      ),
    )
    .option('--fail-fast', 'stop everything after the first suite that does not pass')
    .option('--evidence <dir>', 'the evidence folder (default: <home>/suites/<run id>); must be new or empty')
    .action(async (names, options, command) => {
      const context = createContext(command.optsWithGlobals(), signal);
      const { output, config } = context;
      if (Object.keys(config.suites.run).length === 0) {
        throw new UsageError(
          `no suites configured${config.configFile === null ? ' (no flotilla.config.yaml here)' : ` in ${config.configFile}`}: add them under suites.run (see docs/suites.md)`,
        );
      }
      const runtime = await openRuntime({ config });
      try {
        const id = newRecordId('suites');
        const evidenceDir =
          options.evidence === undefined ? join(config.home, 'suites', id) : resolve(options.evidence);
        const width = Math.max(...Object.keys(config.suites.run).map((name) => name.length));
        const run = await runSuites({
          config: config.suites,
          id,
          only: names,
          ...(options.sequential === true
            ? { parallel: false }
            : options.parallel === true
              ? { parallel: true }
              : {}),
          ...(options.maxWorkers === undefined ? {} : { maxWorkers: options.maxWorkers }),
          ...(options.retries === undefined ? {} : { retries: options.retries }),
          ...(options.failFast === true ? { failFast: true } : {}),
          evidenceDir,
          env: runtime.env,
          signal,
          history: runtime.store.suiteHistory,
          observer: {
            attemptStarted: (suite, attempt, argv, filtered) =>
              output.line(attemptStartLine(suite, attempt, argv, filtered)),
            line: (suite, stream, line) => {
              const prefix = style.dim(`${suite.padEnd(width)} │`);
              output.line(`${prefix} ${stream === 'stderr' ? style.dim(line) : line}`);
            },
            attemptFinished: (suite, result) => output.line(attemptEndLine(suite, result)),
          },
        });
        if (output.json) output.document(run);
        else printSuitesRun(output, run);
        state.exitCode = signal.aborted
          ? ExitCode.Interrupted
          : run.exitCode === 0
            ? ExitCode.Ok
            : ExitCode.Failures;
      } finally {
        await runtime.close();
      }
    });
}
