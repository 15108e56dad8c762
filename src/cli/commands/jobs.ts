import { Option, type Command } from '@commander-js/extra-typings';
import { JOB_STATUSES } from '../../events/index.js';
import type { AgentUsage } from '../../agents/index.js';
import type { JobView } from '../../jobs/index.js';
import { ApiClient } from '../api-client.js';
import { createContext, type CommandContext, type CommandState, type GlobalOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { collect, parseAssignments, parseCount } from '../parse.js';
import { formatDuration, style } from '../style.js';

interface ClientOptions {
  server?: string;
  token?: string;
}

/** `flotilla jobs submit|list|show|wait|cancel|diff`: a client of a running `flotilla serve`. */
export function registerJobsCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  state: CommandState,
): void {
  const jobs = program
    .command('jobs')
    .description('submit and follow jobs on a running `flotilla serve`')
    .option('--server <url>', 'the server (default: $FLOTILLA_SERVER or http://HOST:PORT from the config)')
    .option('--token <token>', 'bearer token (default: $FLOTILLA_TOKEN or server.token)');

  const setup = (command: { optsWithGlobals(): object }) => {
    const options = command.optsWithGlobals() as GlobalOptions & ClientOptions;
    const context = createContext(options, signal);
    const { host, port, token } = context.config.server;
    const server =
      options.server ??
      process.env.FLOTILLA_SERVER ??
      `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return { context, client: new ApiClient(server, options.token ?? token) };
  };

  jobs
    .command('submit')
    .description('queue a job; prints its id (with --wait, follows it to the end)')
    .requiredOption('--agent <name>', 'the agent profile')
    .option('--repo <key>', 'a repository the server allows (repos: in its config)')
    .option('--ref <ref>', 'branch, tag or commit')
    // Repeatable rather than variadic: `--path a fix it` must leave `fix it` to the prompt.
    .option('--path <dir>', 'sparse checkout: only this directory (repeatable)', collect, [] as string[])
    .addOption(new Option('--timeout <s>', 'seconds the agent may run').argParser(parseCount('--timeout', 1)))
    .addOption(
      new Option('--idle-timeout <s>', 'seconds the agent may go without output (then: stalled)').argParser(
        parseCount('--idle-timeout', 1),
      ),
    )
    .addOption(
      new Option('--priority <n>', 'higher runs first').argParser(parseCount('--priority', -1_000_000)),
    )
    .option(
      '--env <name=value>',
      'an environment variable of the agent (repeatable)',
      collect,
      [] as string[],
    )
    .option(
      '--meta <key=value>',
      'metadata kept with the job, shown back (repeatable)',
      collect,
      [] as string[],
    )
    .option('--wait', 'follow the job’s output until it ends')
    .argument('<prompt...>')
    .action(async (words, options, command) => {
      const env = parseAssignments('--env', options.env);
      const metadata = parseAssignments('--meta', options.meta);
      const { context, client } = setup(command);
      const body = {
        agent: options.agent,
        prompt: words.join(' '),
        ...(options.repo === undefined ? {} : { repo: options.repo }),
        ...(options.ref === undefined ? {} : { ref: options.ref }),
        ...(options.path.length === 0 ? {} : { paths: options.path }),
        ...(options.timeout === undefined ? {} : { timeout_s: options.timeout }),
        ...(options.idleTimeout === undefined ? {} : { idle_timeout_s: options.idleTimeout }),
        ...(options.priority === undefined ? {} : { priority: options.priority }),
        ...(options.env.length === 0 ? {} : { env }),
        ...(options.meta.length === 0 ? {} : { metadata }),
      };
      const accepted = await client.json<{ id: string; position: number }>('POST', '/v1/jobs', body, signal);
      if (options.wait === true) {
        state.exitCode = await follow(context, client, accepted.id);
        return;
      }
      if (context.output.json) context.output.document(accepted);
      else context.output.line(`${accepted.id} queued (position ${accepted.position})`);
    });

  jobs
    .command('list')
    .description('jobs, newest first')
    .addOption(new Option('--status <status>', 'only jobs in this status').choices(JOB_STATUSES))
    .addOption(new Option('--limit <n>', 'how many').default(20).argParser(parseCount('--limit', 1)))
    .action(async (options, command) => {
      const { context, client } = setup(command);
      const query = new URLSearchParams({ limit: String(options.limit) });
      if (options.status !== undefined) query.set('status', options.status);
      const page = await client.json<{ items: JobView[] }>(
        'GET',
        `/v1/jobs?${query.toString()}`,
        undefined,
        signal,
      );
      if (context.output.json) return context.output.document(page);
      for (const job of page.items) {
        context.output.line(
          `${job.id}  ${job.status.padEnd(11)} ${job.agent.padEnd(10)} ${job.created_at}  ${job.prompt.slice(0, 60)}`,
        );
      }
    });

  jobs
    .command('show')
    .argument('<id>')
    .description('one job in full')
    .action(async (id, _options, command) => {
      const { context, client } = setup(command);
      const job = await client.json<JobView>('GET', `/v1/jobs/${encodeURIComponent(id)}`, undefined, signal);
      if (context.output.json) return context.output.document(job);
      printJob(context, job);
    });

  jobs
    .command('wait')
    .argument('<id>')
    .description('follow a job’s output until it ends; exit 0 if it succeeded, 1 otherwise')
    .action(async (id, _options, command) => {
      const { context, client } = setup(command);
      state.exitCode = await follow(context, client, id);
    });

  jobs
    .command('cancel')
    .argument('<id>')
    .description('cancel a queued or running job (its process tree is killed)')
    .action(async (id, _options, command) => {
      const { context, client } = setup(command);
      const job = await client.json<JobView>(
        'DELETE',
        `/v1/jobs/${encodeURIComponent(id)}`,
        undefined,
        signal,
      );
      if (context.output.json) return context.output.document(job);
      context.output.line(`${job.id} ${job.status}`);
    });

  jobs
    .command('diff')
    .argument('<id>')
    .description('the job’s change as a unified diff')
    .action(async (id, _options, command) => {
      const { context, client } = setup(command);
      const diff = await client.text(`/v1/jobs/${encodeURIComponent(id)}/diff`, signal);
      if (context.output.json) return context.output.document({ id, diff });
      context.output.stdout.write(diff);
    });
}

/** Streams a job's events until its result; returns the exit code its status means. */
async function follow(context: CommandContext, client: ApiClient, id: string): Promise<ExitCode> {
  const { output, signal } = context;
  for await (const message of client.events(`/v1/jobs/${encodeURIComponent(id)}/events`, signal)) {
    const event = JSON.parse(message.data) as { type: string; line?: string; stream?: string };
    if (event.type === 'job.log' && !output.json) {
      output.line(event.stream === 'stderr' ? style.dim(event.line ?? '') : (event.line ?? ''));
    }
    if (event.type === 'job.result') break;
  }
  const job = await client.json<JobView>('GET', `/v1/jobs/${encodeURIComponent(id)}`, undefined, signal);
  if (output.json) output.document(job);
  else printJob(context, job);
  return job.status === 'succeeded' ? ExitCode.Ok : ExitCode.Failures;
}

function printJob({ output }: CommandContext, job: JobView): void {
  const mark =
    job.status === 'succeeded'
      ? style.green('✔')
      : job.status === 'queued' || job.status === 'running'
        ? '…'
        : style.red('✖');
  output.line(
    `${mark} ${job.id} ${style.bold(job.status)}  agent ${job.agent}${job.repo === null ? '' : `  repo ${job.repo}`}`,
  );
  output.line(`  prompt   ${job.prompt}`);
  if (job.metadata !== null && Object.keys(job.metadata).length > 0) {
    output.line(`  metadata ${JSON.stringify(job.metadata)}`);
  }
  if (job.queue_position !== null) output.line(`  position ${job.queue_position} in the queue`);
  if (job.error !== null) output.line(`  error    ${style.red(job.error)}`);
  const result = job.result;
  if (result !== null) {
    const { queued_ms, workspace_ms, run_ms } = result.timings;
    output.line(
      `  timings  queued ${formatDuration(queued_ms)} · workspace ${formatDuration(workspace_ms)} · run ${formatDuration(run_ms)}`,
    );
    if (result.changedFiles.length > 0) output.line(`  changed  ${result.changedFiles.join(', ')}`);
    if (result.branch !== null)
      output.line(
        `  branch   ${result.branch}${result.fetchFrom === null ? '' : ` (git fetch ${result.fetchFrom} ${result.branch})`}`,
      );
    if (result.usage !== undefined) output.line(`  tokens   ${describeUsage(result.usage)}`);
  }
}

/** `1,200 in (4,500 cache read, 300 cache write) · 250 out · $0.0123`: what the agent reported. */
function describeUsage(usage: AgentUsage): string {
  const count = (n: number): string => n.toLocaleString('en-US');
  const cache = [
    ...(usage.cacheReadTokens === undefined ? [] : [`${count(usage.cacheReadTokens)} cache read`]),
    ...(usage.cacheWriteTokens === undefined ? [] : [`${count(usage.cacheWriteTokens)} cache write`]),
  ];
  const input = `${count(usage.inputTokens)} in${cache.length === 0 ? '' : ` (${cache.join(', ')})`}`;
  const cost = usage.costUsd === undefined ? '' : ` · $${usage.costUsd}`;
  return `${input} · ${count(usage.outputTokens)} out${cost}`;
}
