import { join, resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { InterruptedError } from '../../core/index.js';
import {
  DEFAULT_POOL_SIZE,
  MAX_POOL_SIZE,
  MAX_WORKERS,
  PASSWORD_VARIABLE,
  resumeQaRun,
  runQaBatch,
  BUDGET_NAMES,
  CHECK_IDS,
  DEFAULT_BUDGETS,
  DEFAULT_FORMATS,
  REPORT_FORMATS,
  SEVERITIES,
  startQaRun,
  type BatchRun,
  type QaReport,
  type QaRunHandle,
} from '../../qa/index.js';
import { openRuntime } from '../../runtime/index.js';
import type { Store } from '../../store/index.js';
import { createContext, type CommandState, type GlobalOptions } from '../context.js';
import type { Output } from '../output.js';
import { QaDisplay } from '../display/qa-display.js';
import { printQaReport } from '../display/qa-report.js';
import { ExitCode } from '../exit-codes.js';
import { collect } from '../parse.js';
import { style } from '../style.js';
import { UsageError } from '../errors.js';
import { readQaAccess } from './qa-access.js';
import { batchOf, checkMode, flagDefaults, poolSizeOf, specOf } from './qa-flags.js';
import { finishReport, reportSettings, type ReportSettings } from './qa-reports.js';

/** Where reports go without `--out`: one folder per run under it. */
const DEFAULT_REPORTS_FOLDER = 'flotilla-qa';

/**
 * `flotilla qa`: crawls a web app breadth-first with one Chromium and `--workers` contexts, tests every
 * page with the checks asked for (every check by default), and reports what it tested, what it did not
 * and why, and what it found, in the formats asked for (docs/qa.md). The crawl is a run in the store: Ctrl-C (or a crash) leaves it resumable with `--resume`.
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
    .option(
      '--keep-param <name>',
      'a query parameter URLs keep though it looks like tracking (repeatable)',
      collect,
      [],
    )
    .option(
      '--ignore-param <name>',
      'a query parameter to drop from URLs, as utm_* are (repeatable)',
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
      '--checks <ids>',
      `the checks to run, by id, comma-separated (default: all: ${CHECK_IDS.join(', ')})`,
    )
    .option('--skip <ids>', 'checks to leave out, comma-separated')
    .option(
      '--budget <name=value>',
      `a performance budget, ms or a CLS score: ${BUDGET_NAMES.map((name) => `${name}=${DEFAULT_BUDGETS[name]}`).join(', ')} by default (repeatable)`,
      collect,
      [],
    )
    .option('--no-external-links', 'check no link to another origin (broken-link)')
    .option(
      '--ignore-console <regex>',
      'console errors matching this (case-insensitive) are no finding (repeatable)',
      collect,
      [],
    )
    .addOption(
      new Option(
        '--screenshots <severity>',
        'findings this bad or worse get a screenshot, one per fingerprint (default high)',
      ).choices([...SEVERITIES, 'none']),
    )
    .option(
      '--resume <run-id>',
      'go on with a crawl that was stopped (Ctrl-C, a crash), with its own settings',
    )
    .option(
      '--batch-file <file>',
      'crawl each run of a JSON array ({"urls": [...], "max_pages": 50, ...}); flags fill what an entry leaves out',
    )
    .option(
      '--pool-size <n>',
      `runs of a batch crawling at once, 1–${MAX_POOL_SIZE} (default ${DEFAULT_POOL_SIZE})`,
    )
    .option('--out <dir>', 'the report’s folder (default ./flotilla-qa/<run-id>; a batch: DIR/<run-id>)')
    .option(
      '--format <formats>',
      `the report's formats, comma-separated: ${REPORT_FORMATS.join(', ')} (default ${DEFAULT_FORMATS.join(',')})`,
    )
    .option(
      '--baseline <report.json>',
      'mark findings new or persisting against this earlier report, and list the fixed',
    )
    .option('--new-only', 'with --baseline: only new findings at --fail-on or worse fail the run')
    .option('--auth <user:pass@url>', `log in once through the form at URL (no pass: $${PASSWORD_VARIABLE})`)
    .option('--username-selector <selector>', 'the login form’s user name field, when not found by itself')
    .option('--password-selector <selector>', 'the login form’s password field, when not found by itself')
    .option('--submit-selector <selector>', 'the login form’s submit control, when not found by itself')
    .option('--storage-state <file>', 'start every context with this saved session (Playwright JSON)')
    .option('--cookie <name=value>', 'a cookie for the start URLs’ hosts (repeatable)', collect, [])
    .option('--header <"Name: value">', 'a header sent with every request (repeatable)', collect, [])
    .action(async (urls, options, command) => {
      const context = createContext(command.optsWithGlobals(), signal, {
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
        ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
        ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
      });
      const { output, config } = context;
      const mode = checkMode(urls, options);
      if (config.qa.workers > MAX_WORKERS) {
        throw new UsageError(
          `--workers: expected an integer from 1 to ${MAX_WORKERS}, got ${config.qa.workers}`,
        );
      }
      const poolSize = poolSizeOf(options.poolSize);
      const reports = reportSettings(options);
      const specs =
        mode === 'batch'
          ? await batchOf(options.batchFile!, config.qa, flagDefaults(options))
          : mode === 'crawl'
            ? [specOf(urls, options, config.qa)]
            : [];

      // Read before anything is opened; a cookie's default hosts are the start URLs' (a resumed run's own).
      const readAccess = (starts: readonly string[]): ReturnType<typeof readQaAccess> =>
        readQaAccess(starts, options, process.env, signal);
      const fresh = mode === 'resume' ? undefined : await readAccess(specs.flatMap((spec) => spec.urls));
      // Ctrl-C stops a crawl resumably (interrupted), where a cancel ends it for good.
      const stop = interruptible(signal);
      const runtime = await openRuntime({ config });
      const display = new QaDisplay(output);
      const unsubscribe = runtime.bus.subscribe((event) => display.handle(event));
      try {
        const access = fresh ?? (await readAccess(resumedUrls(runtime.store, options.resume!)));
        const services = { store: runtime.store, bus: runtime.bus, env: runtime.env, access };
        if (mode === 'batch') {
          display.start();
          let runs: BatchRun[];
          try {
            runs = await runQaBatch(specs, services, {
              poolSize,
              signal: stop,
              out: (id) => reportFolder(options.out, id, 'batch'),
              started: (index, id) => {
                display.follow(id, `[${index}]`);
                display.print(style.dim(`[${index}] crawling run ${id} (${specs[index]!.urls[0]})`));
              },
            });
          } finally {
            display.stop();
          }
          finishBatch(output, runs, options.out, reports, state);
          return;
        }
        const out = (id: string): string => reportFolder(options.out, id, 'one');
        const handle: QaRunHandle =
          mode === 'resume'
            ? resumeQaRun(options.resume!, services, { signal: stop, out })
            : startQaRun(specs[0]!, services, { signal: stop, out });
        display.follow(handle.id);
        if (!output.json) {
          output.line(style.dim(`${mode === 'resume' ? 'resuming' : 'crawling'} run ${handle.id}`));
        }
        display.start();
        let report: QaReport;
        try {
          report = await handle.done;
        } finally {
          display.stop();
        }
        const final = finishReport(report, out(handle.id), reports);
        if (output.json) output.document(final.report);
        else printQaReport(output, final.report, final.file);
        if (report.summary.status === 'interrupted' && !output.json) {
          output.line(`  resume    flotilla qa --resume ${handle.id}`);
        }
        state.exitCode = exitCodeOf(final.report);
      } finally {
        unsubscribe();
        await runtime.close();
      }
    });
}

function exitCodeOf(report: QaReport): ExitCode {
  return report.summary.status === 'interrupted'
    ? ExitCode.Interrupted
    : report.summary.status === 'failed'
      ? ExitCode.Failures
      : ExitCode.Ok;
}

/** How bad each outcome is, for the batch's exit code: the worst of its runs. */
const SEVERITY_OF_EXIT: Partial<Record<ExitCode, number>> = {
  [ExitCode.Ok]: 0,
  [ExitCode.Failures]: 1,
  [ExitCode.Interrupted]: 2,
};

/** The batch's reports (`--json`: `{ runs: [...] }`), each run's file under `--out`, the worst exit code. */
function finishBatch(
  output: Output,
  runs: readonly BatchRun[],
  out: string | undefined,
  reports: ReportSettings,
  state: CommandState,
): void {
  let worst: ExitCode = ExitCode.Ok;
  const worse = (code: ExitCode): void => {
    if ((SEVERITY_OF_EXIT[code] ?? 0) > (SEVERITY_OF_EXIT[worst] ?? 0)) worst = code;
  };
  const documents: unknown[] = [];
  for (const run of runs) {
    if ('report' in run) {
      const { report, file } = finishReport(run.report, reportFolder(out, run.id, 'batch'), reports);
      documents.push(report);
      if (!output.json) {
        output.line();
        output.line(style.bold(`[${run.index}] run ${run.id}`));
        printQaReport(output, report, file);
        if (run.report.summary.status === 'interrupted') {
          output.line(`  resume    flotilla qa --resume ${run.id}`);
        }
      }
      worse(exitCodeOf(report));
    } else if ('error' in run) {
      documents.push({ run: { id: run.id }, error: run.error });
      output.error(`[${run.index}] run ${run.id} could not crawl: ${run.error}`);
      worse(ExitCode.Failures);
    } else {
      documents.push({ run: null, skipped: 'the batch was stopped before this run started' });
      worse(ExitCode.Interrupted);
    }
  }
  if (output.json) output.document({ runs: documents });
  state.exitCode = worst;
}

/** A signal that aborts with an `InterruptedError` when `signal` aborts (the CLI's Ctrl-C is a cancel). */
function interruptible(signal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const interrupt = (): void => controller.abort(new InterruptedError('Interrupted: resume with --resume'));
  if (signal.aborted) interrupt();
  else signal.addEventListener('abort', interrupt, { once: true });
  return controller.signal;
}

/** The start URLs of a stored QA run (none when there is no such run: resuming it says so). */
function resumedUrls(store: Store, id: string): string[] {
  const spec = store.runs.get(id)?.spec as { urls?: unknown } | null | undefined;
  return Array.isArray(spec?.urls) ? spec.urls.filter((url): url is string => typeof url === 'string') : [];
}

/** The folder of a run's report: `--out` (a batch's run: `--out/<run-id>`), else `./flotilla-qa/<run-id>`. */
function reportFolder(out: string | undefined, id: string, mode: 'one' | 'batch'): string {
  return resolve(
    out === undefined ? join(DEFAULT_REPORTS_FOLDER, id) : mode === 'batch' ? join(out, id) : out,
  );
}
