import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import type { ResolvedConfig } from '../../config/index.js';
import { openRuntime } from '../../runtime/index.js';
import { createContext, type CommandState, type GlobalOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { parseCount } from '../parse.js';
import { formatDuration, style } from '../style.js';
import { UsageError } from '../errors.js';

/**
 * `flotilla exec`: runs one agent job now, in its own workspace, with its output live on the terminal.
 * `--repo` takes a configured repository's key or any local repository folder (a local run may use any
 * repository; only a server is limited to `repos:`).
 */
export function registerExecCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  state: CommandState,
): void {
  program
    .command('exec')
    .description('run one agent job now, in an isolated checkout, with live output')
    .requiredOption('--agent <name>', 'the agent profile (agents: in flotilla.config.yaml)')
    .option('--repo <dir-or-key>', 'the repository to work in: a configured key or a folder')
    .option('--ref <ref>', 'the branch, tag or commit to start from (default: the repository’s HEAD)')
    .addOption(new Option('--timeout <s>', 'seconds the agent may run').argParser(parseCount('--timeout', 1)))
    .addOption(
      new Option('--idle-timeout <s>', 'seconds the agent may go without output (then: stalled)').argParser(
        parseCount('--idle-timeout', 1),
      ),
    )
    .argument('<prompt...>', 'what the agent should do')
    .action(async (words, options, command) => {
      const context = createContext(command.optsWithGlobals(), signal);
      const { output } = context;
      const { config, repoKey } = withLocalRepo(context.config, options.repo);
      const runtime = await openRuntime({
        config: { ...config, server: { ...config.server, concurrency: 1, max_queue: 1 } },
        start: ['jobs'],
      });
      const service = runtime.jobs;
      try {
        const job = await service.submit({
          agent: options.agent,
          prompt: words.join(' '),
          ...(repoKey === undefined ? {} : { repo: repoKey }),
          ...(options.ref === undefined ? {} : { ref: options.ref }),
          ...(options.timeout === undefined ? {} : { timeout_s: options.timeout }),
          ...(options.idleTimeout === undefined ? {} : { idle_timeout_s: options.idleTimeout }),
        });
        const unsubscribe = service.bus.subscribe((event) => {
          if (event.type === 'job.log' && event.jobId === job.id) {
            output.line(event.stream === 'stderr' ? style.dim(event.line) : event.line);
          }
        });
        const onAbort = (): void => void service.cancel(job.id);
        signal.addEventListener('abort', onAbort, { once: true });
        const done = await service.wait(job.id);
        signal.removeEventListener('abort', onAbort);
        unsubscribe();
        if (done === undefined) throw new UsageError(`job ${job.id} vanished`);
        if (output.json) output.document({ ...done, diff: (await service.diff(job.id)) ?? '' });
        else {
          const result = done.result;
          output.line();
          const mark = done.status === 'succeeded' ? style.green('✔') : style.red('✖');
          // A job whose agent never started (an unknown ref, say) took no run time worth showing.
          const took =
            result === null || result.attempts === 0 ? '' : ` in ${formatDuration(result.timings.run_ms)}`;
          output.line(
            `${mark} ${done.id} ${done.status}${took}${done.error === null ? '' : `: ${done.error}`}`,
          );
          if (result !== null && result.changedFiles.length > 0) {
            const count = result.changedFiles.length;
            output.line(
              `  ${count} file${count === 1 ? '' : 's'} changed: ${result.changedFiles.join(', ')}`,
            );
            if (result.branch !== null && result.fetchFrom !== null) {
              output.line(`  fetch it: git fetch ${result.fetchFrom} ${result.branch}`);
            }
          }
        }
        state.exitCode = done.status === 'succeeded' ? ExitCode.Ok : ExitCode.Failures;
      } finally {
        await runtime.close();
      }
    });
}

/** Adds a folder given to `--repo` as a repository of its own, keyed by its absolute path. */
export function withLocalRepo(
  config: ResolvedConfig,
  repo: string | undefined,
): { config: ResolvedConfig; repoKey?: string } {
  if (repo === undefined) return { config };
  if (Object.hasOwn(config.repos, repo)) return { config, repoKey: repo };
  const path = resolve(repo);
  return { config: { ...config, repos: { ...config.repos, [path]: { path } } }, repoKey: path };
}
