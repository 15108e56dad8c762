import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { InvalidArgumentError } from '../../core/index.js';
import {
  MAX_WORKERS,
  parseQaSpec,
  resumeQaRun,
  SEVERITIES,
  startQaRun,
  type QaReport,
  type QaRunHandle,
} from '../../qa/index.js';
import { openRuntime } from '../../runtime/index.js';
import { createContext, type CommandState, type GlobalOptions } from '../context.js';
import { QaDisplay } from '../display/qa-display.js';
import { printQaReport } from '../display/qa-report.js';
import { ExitCode } from '../exit-codes.js';
import { collect } from '../parse.js';
import { style } from '../style.js';
import { UsageError } from '../errors.js';

/** The flags that set how a crawl goes: a resumed run keeps its own, so they cannot come with `--resume`. */
const CRAWL_FLAGS = {
  workers: '--workers',
  maxPages: '--max-pages',
  maxDepth: '--max-depth',
  rateLimit: '--rate-limit',
  ignoreRobots: '--ignore-robots',
  sitemap: '--sitemap',
  failOn: '--fail-on',
} as const;

/**
 * `flotilla qa`: crawls a web app breadth-first with one Chromium and `--workers` contexts, tests every
 * page (its HTTP status, for now), and reports what it tested, what it did not and why, and what it found
 * (docs/qa.md). The crawl is a run in the store: Ctrl-C (or a crash) leaves it resumable with `--resume`.
 */
export function registerQaCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  state: CommandState,
): void {
  program
    .command('qa')
    .description('crawl a web app with one browser and many contexts, and test every page')
    .argument('[urls...]', 'start URLs (their origins are the crawl’s scope)')
    .option('--workers <n>', `pages tested at once, 1–${MAX_WORKERS} (qa.workers, default 4)`)
    .option('--max-pages <n>', 'pages tested at most: exact (qa.max_pages, default 100)')
    .option('--max-depth <n>', 'links followed from a start URL (qa.max_depth, default 3)')
    .option('--rate-limit <n>', 'navigations per second to one host, 0 for none (qa.rate_limit, default 3)')
    .option(
      '--allow-origin <origin>',
      'another origin, host or *.host links may lead to (repeatable)',
      collect,
      [],
    )
    .option('--ignore-robots', 'crawl what robots.txt disallows, and ignore its Crawl-delay')
    .option('--sitemap', 'seed the crawl from the sitemaps robots.txt names, or /sitemap.xml')
    .addOption(
      new Option('--fail-on <severity>', 'findings this bad or worse exit 1 (default high)').choices(
        SEVERITIES,
      ),
    )
    .option(
      '--resume <run-id>',
      'go on with a crawl that was stopped (Ctrl-C, a crash), with its own settings',
    )
    .option('--out <dir>', 'also write the report as DIR/report.json')
    .action(async (urls, options, command) => {
      const context = createContext(command.optsWithGlobals(), signal, {
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
        ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
        ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
      });
      const { output, config } = context;
      if (options.resume !== undefined) {
        if (urls.length > 0)
          throw new UsageError('--resume: a resumed crawl keeps its own URLs; give no URL');
        const given = Object.entries(CRAWL_FLAGS).find(
          ([key]) => (options as Record<string, unknown>)[key] !== undefined,
        );
        if (given !== undefined || options.allowOrigin.length > 0) {
          const flag = given?.[1] ?? '--allow-origin';
          throw new UsageError(`--resume: a resumed crawl keeps its own settings; drop ${flag}`);
        }
      } else if (urls.length === 0) {
        throw new UsageError('flotilla qa: give at least one start URL, or --resume RUN_ID');
      }
      if (config.qa.workers > MAX_WORKERS) {
        throw new UsageError(
          `--workers: expected an integer from 1 to ${MAX_WORKERS}, got ${config.qa.workers}`,
        );
      }
      const spec = options.resume === undefined ? specOf(urls, options, config.qa) : undefined;

      const runtime = await openRuntime({ config });
      try {
        const services = { store: runtime.store, bus: runtime.bus, env: runtime.env };
        const handle: QaRunHandle =
          spec === undefined
            ? resumeQaRun(options.resume!, services, { signal })
            : startQaRun(spec, services, { signal });
        const display = new QaDisplay(output, handle.id);
        const unsubscribe = runtime.bus.subscribe((event) => display.handle(event));
        if (!output.json) {
          output.line(
            style.dim(`${options.resume === undefined ? 'crawling' : 'resuming'} run ${handle.id}`),
          );
        }
        display.start();
        let report: QaReport;
        try {
          report = await handle.done;
        } finally {
          display.stop();
          unsubscribe();
        }
        const file = options.out === undefined ? null : writeReport(options.out, report);
        if (output.json) output.document(report);
        else printQaReport(output, report, file);
        if (report.summary.status === 'interrupted' && !output.json) {
          output.line(`  resume    flotilla qa --resume ${handle.id}`);
        }
        state.exitCode =
          report.summary.status === 'interrupted'
            ? ExitCode.Interrupted
            : report.summary.status === 'failed'
              ? ExitCode.Failures
              : ExitCode.Ok;
      } finally {
        await runtime.close();
      }
    });
}

/** The crawl the flags ask for; a bad value is a usage error naming its flag. */
function specOf(
  urls: readonly string[],
  options: { allowOrigin: string[]; ignoreRobots?: true; sitemap?: true; failOn?: string },
  defaults: Parameters<typeof parseQaSpec>[1],
): ReturnType<typeof parseQaSpec> {
  for (const url of urls) {
    if (!/^https?:\/\//i.test(url))
      throw new UsageError(`URL ${JSON.stringify(url)}: expected an http or https URL`);
  }
  try {
    return parseQaSpec(
      {
        urls,
        allow_origins: options.allowOrigin,
        ignore_robots: options.ignoreRobots === true,
        sitemap: options.sitemap === true,
        ...(options.failOn === undefined ? {} : { fail_on: options.failOn }),
      },
      defaults,
      'flotilla qa',
    );
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message);
    throw error;
  }
}

/** Writes `DIR/report.json`; returns its path. */
function writeReport(out: string, report: QaReport): string {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'report.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
