import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import {
  BrowserPool,
  crawl,
  LoginSession,
  MAX_WORKERS,
  PASSWORD_VARIABLE,
  SEVERITIES,
} from '../../qa/index.js';
import { withoutSecrets } from '../../runtime/index.js';
import { createContext, type CommandState, type GlobalOptions } from '../context.js';
import { printQaReport } from '../display/qa-report.js';
import { ExitCode } from '../exit-codes.js';
import { collect } from '../parse.js';
import { style } from '../style.js';
import { UsageError } from '../errors.js';
import { readQaAccess } from './qa-access.js';

/**
 * `flotilla qa`: crawls a web app breadth-first with one Chromium and `--workers` contexts, tests every
 * page (its HTTP status, for now), and reports what it tested, what it did not and why, and what it found
 * (docs/qa.md).
 */
export function registerQaCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  state: CommandState,
): void {
  program
    .command('qa')
    .description('crawl a web app with one browser and many contexts, and test every page')
    .argument('<urls...>', 'start URLs (their origins are the crawl’s scope)')
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
      new Option('--fail-on <severity>', 'findings this bad or worse exit 1')
        .choices(SEVERITIES)
        .default('high'),
    )
    .option('--out <dir>', 'also write the report as DIR/report.json')
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
      if (config.qa.workers > MAX_WORKERS) {
        throw new UsageError(
          `--workers: expected an integer from 1 to ${MAX_WORKERS}, got ${config.qa.workers}`,
        );
      }
      const access = await readQaAccess(urls, options, process.env, signal);
      // The browser gets no secret of Flotilla's, nor the password.
      const { [PASSWORD_VARIABLE]: _password, ...env } = withoutSecrets(process.env, config.server.token);
      const pool = await BrowserPool.launch({ contexts: config.qa.workers, env, signal, ...access.pool });
      try {
        let login: LoginSession | undefined;
        if (access.login !== undefined) {
          login = new LoginSession({ pool, ...access.login });
          await login.login(signal);
          output.line(
            `${style.green('✔')} logged in at ${login.loginUrl} as ${access.login.credentials.username}`,
          );
        }
        const report = await crawl({
          urls,
          workers: config.qa.workers,
          maxPages: config.qa.max_pages,
          maxDepth: config.qa.max_depth,
          rateLimit: config.qa.rate_limit,
          allowOrigins: options.allowOrigin,
          ignoreRobots: options.ignoreRobots === true,
          sitemap: options.sitemap === true,
          failOn: options.failOn,
          pool,
          ...(login === undefined ? {} : { login }),
          signal,
          observer: {
            pageTested: (worker, page, findings) => {
              const mark = findings.length === 0 ? style.green('✔') : style.red('✖');
              const status = page.status === null ? 'no response' : String(page.status);
              output.line(
                `${mark} ${style.dim(`w${worker}`)} ${status} ${page.url}${findings.map((one) => ` · ${one.title}`).join('')}`,
              );
            },
          },
        });
        if (options.out !== undefined) {
          const dir = resolve(options.out);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
        }
        if (output.json) output.document(report);
        else
          printQaReport(
            output,
            report,
            options.out === undefined ? null : join(resolve(options.out), 'report.json'),
          );
        state.exitCode =
          report.summary.status === 'interrupted'
            ? ExitCode.Interrupted
            : report.summary.status === 'failed'
              ? ExitCode.Failures
              : ExitCode.Ok;
      } finally {
        await pool.close();
      }
    });
}
