import { InvalidArgumentError, Option, type Command } from '@commander-js/extra-typings';
import { runDemo, type DemoResult } from '../../demo/index.js';
import { createContext, type CommandState, type GlobalOptions } from '../context.js';
import { JobDisplay } from '../display/job-display.js';
import { QaDisplay } from '../display/qa-display.js';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../output.js';
import { parseCount } from '../parse.js';
import { formatDuration, style } from '../style.js';

/** `flotilla demo`: the main job on embedded defaults, self-contained, finishing on its own. */
export function registerDemoCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  state: CommandState,
): void {
  program
    .command('demo')
    .description(
      'run a batch of agent jobs in parallel on a temporary git repository, a plan over it, then crawl a small site it serves',
    )
    .addOption(
      new Option('--jobs <n>', 'how many agent jobs to run').default(12).argParser(parseCount('--jobs', 1)),
    )
    .addOption(
      new Option('--concurrency <n>', 'how many jobs run at once')
        .default(4)
        .argParser(parseCount('--concurrency', 1)),
    )
    .addOption(
      new Option('--agent-speed <factor>', 'multiplies the example agent’s pauses (0 = instant)')
        .default(1)
        .argParser(parseFactor),
    )
    .option('--no-plan', 'skip the plan over the demo’s repository')
    .option('--no-crawl', 'skip the crawl of the demo’s own web site (which needs Chromium)')
    .action(async (options, command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const context = createContext(globals, signal);
      const { output } = context;
      const display = new JobDisplay(output);
      const crawlDisplay = new QaDisplay(output);
      output.line(
        style.bold(
          `Flotilla demo: ${options.jobs} agent jobs, ${options.concurrency} at a time, each in its own git checkout`,
        ),
      );
      output.line(style.dim(`state: ${context.config.home}`));
      output.line();
      display.start();
      let result: DemoResult;
      try {
        result = await runDemo({
          home: context.config.home,
          jobs: options.jobs,
          concurrency: options.concurrency,
          agentSpeed: options.agentSpeed,
          signal,
          onJob: (jobId, prompt) => display.describe(jobId, prompt),
          crawl: options.crawl,
          plan: options.plan,
          onPlan: (runId, leaves) => {
            output.line();
            output.line(
              style.bold(
                `Then a plan (run ${runId}): one task over the repository, split by folder into ${leaves.length} leaves, each a job`,
              ),
            );
            for (const leaf of leaves) output.line(style.dim(`  leaf ${leaf.id}  ${leaf.path}`));
          },
          onEvent: (event) => {
            display.handle(event);
            crawlDisplay.handle(event);
          },
          onCrawl: (runId, url) => {
            display.stop();
            output.line();
            output.line(
              style.bold(`Then a QA crawl of the demo’s own site, ${url}, with 4 contexts of one Chromium`),
            );
            crawlDisplay.follow(runId);
            crawlDisplay.start();
          },
        });
      } finally {
        display.stop();
        crawlDisplay.stop();
      }
      const failed = result.jobs.filter((job) => job.status !== 'succeeded');
      const planFailed = result.plan !== undefined && result.plan.status !== 'succeeded';
      if (output.json) output.document(result);
      else printSummary(output, result);
      state.exitCode = failed.length === 0 && !planFailed ? ExitCode.Ok : ExitCode.Failures;
    });
}

function parseFactor(value: string): number {
  const factor = Number(value);
  if (!Number.isFinite(factor) || factor < 0)
    throw new InvalidArgumentError(`--agent-speed expects a number ≥ 0, got "${value}"`);
  return factor;
}

function printSummary(output: Output, result: DemoResult): void {
  const succeeded = result.jobs.filter((job) => job.status === 'succeeded').length;
  const files = result.jobs.reduce((sum, job) => sum + job.changedFiles.length, 0);
  const speedup = result.sequentialMs / result.wallMs;
  output.line();
  output.line(style.bold('Summary'));
  output.line(`  jobs            ${succeeded}/${result.jobs.length} succeeded`);
  output.line(`  files changed   ${files} across ${result.jobs.length} isolated checkouts`);
  output.line(`  peak parallel   ${result.peak} (bound ${result.concurrency})`);
  const workspaceMs = result.jobs.map((job) => job.workspaceMs).sort((a, b) => a - b);
  output.line(
    `  workspaces      ready in ${formatDuration(workspaceMs[Math.floor(workspaceMs.length / 2)] ?? 0)} (median; recycled checkouts of a warm base)`,
  );
  output.line(
    `  wall time       ${formatDuration(result.wallMs)} (the jobs’ own time adds up to ${formatDuration(result.sequentialMs)}: ${speedup.toFixed(1)}× from running them in parallel)`,
  );
  output.line(`  stored          every job and every output line, in the state folder above`);
  printPlan(output, result.plan);
  const crawl = result.crawl;
  if (crawl === undefined) return;
  if ('skipped' in crawl) {
    output.line(`  crawl           skipped: ${crawl.skipped}`);
    return;
  }
  const { summary } = crawl.report;
  const found = Object.entries(summary.findings_by_severity)
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`)
    .join(', ');
  output.line(
    `  crawl           ${summary.pages_tested} pages tested in ${formatDuration(crawl.wallMs)} by ${crawl.workers} contexts of one browser; ${summary.pages_not_tested} URLs not tested, each with its reason`,
  );
  output.line(`  findings        ${found === '' ? 'none' : found} (the site’s faults, on purpose)`);
  output.line(`  crawl stored    run ${crawl.runId}: every URL, page and finding, as it went`);
}

/** The demo's plan in two lines: its leaves and what was merged. */
function printPlan(output: Output, plan: DemoResult['plan']): void {
  if (plan === undefined) return;
  const done = plan.output;
  if (done === null) {
    output.line(`  plan            ${plan.status}: ${plan.error ?? 'no output'}`);
    return;
  }
  const { result, stats } = done;
  const changed = new Set(done.leaves.flatMap((leaf) => leaf.changed_files)).size;
  output.line(
    `  plan            ${stats.leaves} leaves by folder (${done.leaves.map((leaf) => leaf.path).join(', ')}), at most ${stats.peak_concurrency} at once (bound ${stats.max_parallel}), in ${formatDuration(plan.wallMs)}`,
  );
  output.line(
    `  plan merged     ${result.applied.length} of ${stats.leaves} leaves onto ${result.branch} (${changed} files, one commit a leaf); ${result.conflicts.length} conflicts`,
  );
}
