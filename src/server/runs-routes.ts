import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { CancelledError, InterruptedError, InvalidArgumentError } from '../core/index.js';
import { RUN_STATUSES } from '../events/index.js';
import type { RunRecord, Store } from '../store/index.js';
import {
  REJECT_CHOICES,
  toRunSummary,
  type RunHandle,
  type WorkflowDefinition,
  type WorkflowEngine,
} from '../workflow/index.js';
import type { AppDeps } from './app-deps.js';
import { followEvents } from './event-stream.js';
import { listQuerySchema } from './list-query.js';
import { parseInput } from './parse-input.js';
import { readJson } from './request-body.js';
import { ServerError } from './server-error.js';
import { lastEventId, sseResponse } from './sse-response.js';

/** How often a run's event stream looks in the store for events another process (a CLI) wrote. */
export const RUN_EVENTS_POLL_MS = 1_000;

/** A workflow given by path rather than as YAML text: one line ending in `.yml` or `.yaml`. */
const WORKFLOW_PATH = /^[^\n]+\.ya?ml$/i;

/** The body of `POST /v1/runs`. */
const startSchema = z.strictObject({
  workflow: z
    .string({ error: 'expected the workflow as YAML text, or the path of a .yml/.yaml file' })
    .trim()
    .min(1, 'expected the workflow as YAML text, or the path of a .yml/.yaml file'),
  inputs: z
    .record(z.string(), z.unknown(), { error: 'expected a mapping of input names to values' })
    .optional(),
});

/** The body of `POST /v1/runs/:id/approve` (all optional: an empty body approves). */
const approveSchema = z.strictObject({
  approved: z.boolean({ error: 'expected true or false' }).optional(),
  /** One of the gate's options by name (`revise`); `reject` and `abort` reject. */
  choice: z
    .string({ error: "expected one of the gate's options" })
    .min(1, "expected one of the gate's options")
    .optional(),
  comment: z.string({ error: 'expected a string' }).optional(),
  by: z.string({ error: 'expected a name' }).trim().min(1, 'expected a name').optional(),
  gate: z
    .string({ error: 'expected the item id of a gate' })
    .min(1, 'expected the item id of a gate')
    .optional(),
});

/** The body of `POST /v1/runs/:id/resume` (optional): inputs to change, merged over the stored ones. */
const resumeSchema = z.strictObject({
  inputs: z
    .record(z.string(), z.unknown(), { error: 'expected a mapping of input names to values' })
    .optional(),
});

/** The query of `GET /v1/runs`: a list query, and the `kind` of run (`workflow`, `qa`, …), all when absent. */
const listQuery = listQuerySchema(RUN_STATUSES).extend({
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, 'expected a kind of run: workflow, qa, …')
    .optional(),
});

/**
 * The runs API: workflow runs (start, approve a gate), and for runs of every kind (workflows, QA
 * crawls started by `POST /v1/qa`): list (newest first, `?kind=`), show, events (SSE with
 * `Last-Event-ID` replay), resume (202), cancel. Workflow runs are driven by the server's engine (their
 * agent steps go through the server's job queue), QA runs by the runtime's `QaRunner`.
 */
export function runsRoutes(deps: AppDeps): Hono {
  const { workflows: engine, store, bus, qa } = deps.runtime;
  const app = new Hono();
  /**
   * Whether a run is not running: finished, paused or interrupted. A run whose driving process died (a
   * CLI killed with -9) is marked interrupted by the engine's own sweep, so its event stream ends too.
   */
  const stopped = (id: string): boolean => store.runs.get(id)?.status !== 'running';
  /**
   * Refuses a workflow with `shell` steps unless the server's configuration allows them: a shell step
   * runs any command as the server's user, beyond every agent profile.
   * @throws ServerError `E_SHELL_STEPS_OFF` (403) naming the first shell step and where it is.
   */
  const refuseShellSteps = (definition: WorkflowDefinition | undefined): void => {
    if (definition === undefined || deps.runtime.config.server.allow_shell_steps) return;
    const shell = engine.stepsOf(definition).find((step) => step.type === 'shell');
    if (shell === undefined) return;
    const at = shell.location;
    const where = at === undefined ? '' : `${at.file}:${at.line}:${at.column}: `;
    throw new ServerError(
      'E_SHELL_STEPS_OFF',
      `${where}step "${shell.id}" is a shell step, and shell steps are off over HTTP ` +
        '(the server allows them with server.allow_shell_steps: true in its configuration)',
      { field: 'workflow' },
    );
  };
  /** Lets a run go on in the background; a fault of the engine itself is the operator's to see. */
  const detach = (handle: RunHandle): void => {
    handle.done.catch((error: unknown) => deps.onServerFault?.(error));
  };

  app.post('/v1/runs', async (c) => {
    const body = parseInput(startSchema, await readJson(c));
    const definition = await loadDefinition(body.workflow, engine, deps.runtime.config.server.workflows_dir);
    refuseShellSteps(definition);
    const handle = engine.run(definition, body.inputs ?? {});
    detach(handle);
    return c.json({ id: handle.id, status: engine.view(handle.id)?.status ?? 'running' }, 202);
  });

  /** A run of any kind as the API shows it in lists: a QA run's view, another run's summary. */
  const summaryOf = (run: RunRecord) => (run.kind === 'qa' ? qa.viewOf(run) : toRunSummary(run));

  app.get('/v1/runs', (c) => {
    const query = parseInput(listQuery, c.req.query(), 'query');
    try {
      const page = store.runs.list(query);
      return c.json({ items: page.items.map(summaryOf), next_cursor: page.nextCursor });
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      throw new ServerError('E_INVALID_REQUEST', `cursor: ${error.message}`, {
        field: 'cursor',
        cause: error,
      });
    }
  });

  app.get('/v1/runs/:id', (c) => {
    const run = found(store, c.req.param('id'));
    return c.json(run.kind === 'qa' ? qa.viewOf(run) : engine.view(run.id));
  });

  app.delete('/v1/runs/:id', async (c) => {
    const run = found(store, c.req.param('id'));
    return c.json(run.kind === 'qa' ? await qa.cancel(run.id) : await engine.cancel(run.id));
  });

  app.post('/v1/runs/:id/resume', async (c) => {
    const run = found(store, c.req.param('id'));
    const body = parseInput(resumeSchema, await readJson(c, { optional: true }));
    if (run.kind === 'qa') {
      // Through the server's bound on crawls, like POST /v1/qa (429 beyond server.max_queue).
      const handle = qa.resume(run.id, { bounded: true });
      detachQaRun(deps, handle);
      return c.json({ id: handle.id, status: 'running', kind: 'qa', queued: qa.viewOf(run).queued }, 202);
    }
    refuseShellSteps(engine.definitionOf(run.id));
    const handle = engine.resume(run.id, body.inputs === undefined ? {} : { inputs: body.inputs });
    detach(handle);
    return c.json({ id: handle.id, status: 'running' }, 202);
  });

  app.post('/v1/runs/:id/approve', async (c) => {
    const id = c.req.param('id');
    const body = parseInput(approveSchema, await readJson(c, { optional: true }));
    refuseShellSteps(engine.definitionOf(id));
    const approved =
      body.choice === undefined
        ? (body.approved ?? true)
        : !REJECT_CHOICES.includes(body.choice.toLowerCase());
    const gate = engine.approve(
      id,
      {
        approved,
        by: body.by ?? 'api',
        ...(body.choice === undefined ? {} : { choice: body.choice }),
        ...(body.comment === undefined ? {} : { comment: body.comment }),
      },
      body.gate === undefined ? {} : { itemId: body.gate },
    );
    detach(engine.resume(id));
    return c.json({ id, status: 'running', gate, approved }, 202);
  });

  app.get('/v1/runs/:id/events', (c) => {
    const id = c.req.param('id');
    found(store, id);
    const afterSeq = lastEventId(c);
    return sseResponse(c, deps, async (stream, signal) => {
      const events = followEvents(
        { bus, store },
        {
          subject: id,
          afterSeq,
          signal,
          // Succeeded, failed, cancelled, paused or interrupted: nothing more comes until someone acts.
          // (A QA run waiting for its turn is `running`: its stream stays open until it has crawled.)
          finished: () => stopped(id),
          pollMs: RUN_EVENTS_POLL_MS,
        },
      );
      for await (const event of events) {
        await stream.writeSSE({ id: String(event.seq), event: event.type, data: JSON.stringify(event) });
      }
    });
  });

  return app;
}

/**
 * The workflow of a request: a path (one line ending in .yml/.yaml) names a file of the server's
 * workflows folder (`server.workflows_dir`), which is loaded; anything else is parsed as YAML text.
 * @throws ServerError `E_INVALID_REQUEST` (400) for a path when the server has no such folder, when the
 *   path leads outside it, or when no such file is in it; WorkflowError (400) naming the file, line and
 *   column of each problem of a file in it.
 */
async function loadDefinition(
  workflow: string,
  engine: WorkflowEngine,
  workflowsDir: string | undefined,
): Promise<WorkflowDefinition> {
  if (!WORKFLOW_PATH.test(workflow)) return engine.parse(workflow);
  return engine.load(workflowFile(workflow, workflowsDir));
}

/**
 * The real path of the file `path` names in `folder`: a relative path starts there; `..`, an absolute
 * path elsewhere and a symlink that leads out are refused. A path outside is refused before the disk is
 * looked at, so the answer never tells what exists elsewhere, let alone what a file there holds.
 */
function workflowFile(path: string, folder: string | undefined): string {
  const problem = (message: string): ServerError =>
    new ServerError('E_INVALID_REQUEST', `workflow: ${message}`, { field: 'workflow' });
  if (folder === undefined) {
    throw problem(
      'this server takes no workflow by path (it has no workflows folder, server.workflows_dir): ' +
        'send the YAML text of the workflow instead',
    );
  }
  const shown = JSON.stringify(path.length > 200 ? `${path.slice(0, 197)}...` : path);
  const outside = problem(
    `${shown} is not in the server's workflows folder: name a file in it by its path relative to the ` +
      'folder, or send the YAML text of the workflow',
  );
  const candidate = resolve(folder, path);
  if (!isInside(resolve(folder), candidate)) throw outside;
  let real: string;
  try {
    real = realpathSync(candidate);
    if (!isInside(realpathSync(folder), real)) throw outside;
    if (!statSync(real).isFile()) throw new Error('not a file');
  } catch (error) {
    if (error === outside) throw error;
    throw problem(`no workflow file ${shown} in the server's workflows folder`);
  }
  return real;
}

/** Whether `path` is below `folder` (both absolute and normalized). */
function isInside(folder: string, path: string): boolean {
  const rest = relative(folder, path);
  return rest !== '' && rest !== '..' && !rest.startsWith(`..${sep}`) && !isAbsolute(rest);
}

/** The stored run, of any kind, or a 404 naming the id. */
export function found(store: Store, id: string): RunRecord {
  const run = store.runs.get(id);
  if (run === undefined) throw new ServerError('E_NOT_FOUND', `No run with id "${id}"`, { field: 'id' });
  return run;
}

/**
 * Lets a QA run go on in the background. A run that ends without a report (no browser) keeps its error
 * with the run; the operator hears of it in one line. A run stopped before it crawled (cancelled while it
 * waited for its turn, a shutdown) is nothing to tell.
 */
export function detachQaRun(deps: AppDeps, handle: { readonly id: string; readonly done: Promise<unknown> }) {
  handle.done.catch((error: unknown) => {
    if (error instanceof CancelledError || error instanceof InterruptedError) return;
    const message = error instanceof Error ? error.message : String(error);
    deps.onServerLog?.('info', `QA run ${handle.id} ended without a report: ${message}`);
  });
}
