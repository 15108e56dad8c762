import type { Command } from '@commander-js/extra-typings';
import { openRuntime } from '../../runtime/index.js';
import { refuseInsecureBind, startServer } from '../../server/index.js';
import { createContext, type CommandState, type GlobalOptions } from '../context.js';

/** `flotilla serve`: the jobs API and the OpenAI-compatible endpoint, until SIGINT/SIGTERM. */
export function registerServeCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  _state: CommandState,
): void {
  program
    .command('serve')
    .description('serve the jobs API, workflow runs and /v1/chat/completions until interrupted')
    .option('--host <host>', 'address to bind (default 127.0.0.1; any other needs a token)')
    .option('--port <port>', 'port (default 8787; 0 picks a free one)')
    .option('--concurrency <n>', 'jobs that run at once (default 10)')
    .option('--max-queue <n>', 'jobs that may wait; beyond it, 429 (default 100)')
    .option('--token <token>', 'bearer token for every route but /health (default $FLOTILLA_TOKEN)')
    .option('--verbose', 'also log clients that hang up mid-request (on stderr)')
    .action(async (options, command) => {
      const context = createContext(command.optsWithGlobals(), signal, {
        ...(options.host === undefined ? {} : { host: options.host }),
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        ...(options.maxQueue === undefined ? {} : { maxQueue: options.maxQueue }),
        ...(options.token === undefined ? {} : { token: options.token }),
      });
      const { config, output } = context;
      // Before the runtime opens: a refused start must not take the home or recover its jobs.
      refuseInsecureBind(config.server.host, config.server.token);
      // The job service recovers what a previous server left; the engine and the QA runner mark the runs
      // and crawls a dead process left running interrupted.
      // The server's concurrency bounds the processes that steps of its runs start, as it bounds jobs.
      const runtime = await openRuntime({
        config,
        start: ['jobs', 'workflows', 'qa'],
        processConcurrency: config.server.concurrency,
      });
      // Teardown in reverse order of setup, whatever fails.
      try {
        const server = await startServer({
          host: config.server.host,
          port: config.server.port,
          runtime,
          ...(config.server.token === undefined ? {} : { token: config.server.token }),
          maxBodyBytes: config.server.max_body_bytes,
          // A 500 answers with a generic message; the operator gets the whole error here.
          onServerFault: (error: unknown) =>
            output.error(
              `flotilla serve: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
            ),
          // Expected outcomes, one line each on stderr (stdout stays one document with --json). Quiet by
          // default about clients that hang up: that is their own doing, and nothing the operator can fix.
          onServerLog: (level, message) => {
            if (level === 'debug' && options.verbose !== true) return;
            output.error(`flotilla serve: ${message.replace(/\s*\n\s*/g, ' ')}`);
          },
        });
        try {
          const { active, queued, capacity, max_queue } = runtime.jobs.health();
          if (output.json) output.document({ url: server.url, capacity, max_queue, home: config.home });
          else {
            output.line(
              `Flotilla listening on ${server.url}  (concurrency ${capacity}, max queue ${max_queue}, home ${config.home})`,
            );
            if (active + queued > 0)
              output.line(`resumed ${active + queued} job(s) left by the previous run`);
          }
          await new Promise<void>((resolve) => {
            if (signal.aborted) resolve();
            signal.addEventListener('abort', () => resolve(), { once: true });
          });
        } finally {
          await server.close();
        }
      } finally {
        await runtime.close();
      }
    });
}
