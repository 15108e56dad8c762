import { Hono } from 'hono';
import { parseQaSpec, QaSpecError, type QaSpec } from '../qa/index.js';
import type { AppDeps } from './app-deps.js';
import { readJson } from './request-body.js';
import { detachQaRun, found } from './runs-routes.js';
import { ServerError } from './server-error.js';

/**
 * The QA crawls API (docs/qa.md, "Over HTTP"): `POST /v1/qa` starts a crawl as a run of kind `qa`
 * (202; it is then one of `/v1/runs`: shown, listed, streamed, resumed and cancelled there), and
 * `GET /v1/runs/:id/report` gives a QA run's report from the store, whole or so far.
 *
 * The server's browser fetches whatever http(s) URL the caller names, so this sits behind the same
 * request guard and bearer token as every route (the README's Security section); the schema refuses
 * every other scheme (`file:`, `chrome:`, `data:`, `javascript:`, …).
 */
export function qaRoutes(deps: AppDeps): Hono {
  const { qa, config, store } = deps.runtime;
  const app = new Hono();

  app.post('/v1/qa', async (c) => {
    const spec = specOf(await readJson(c), config.qa);
    // At most qa.max_runs crawl at once; a request that would wait beyond server.max_queue gets 429.
    const handle = qa.start(spec, { bounded: true });
    detachQaRun(deps, handle);
    c.header('Location', `/v1/runs/${handle.id}`);
    return c.json(
      { id: handle.id, status: 'running', kind: 'qa', queued: qa.view(handle.id)?.queued ?? false },
      202,
    );
  });

  app.get('/v1/runs/:id/report', (c) => {
    const run = found(store, c.req.param('id'));
    const report = qa.report(run.id);
    if (report === undefined) {
      throw new ServerError(
        'E_NOT_FOUND',
        `Run "${run.id}" is a ${run.kind} run: only QA runs have a report`,
        {
          field: 'id',
        },
      );
    }
    return c.json(report);
  });

  return app;
}

/**
 * The crawl a request body asks for, the configuration's `qa:` filling what it leaves out.
 * @throws ServerError `E_INVALID_REQUEST` (400) naming the first field that does not fit.
 */
function specOf(body: unknown, defaults: AppDeps['runtime']['config']['qa']): QaSpec {
  try {
    return parseQaSpec(body, defaults, 'body');
  } catch (error) {
    if (!(error instanceof QaSpecError)) throw error;
    throw new ServerError('E_INVALID_REQUEST', `${error.field}: ${error.problem}`, {
      field: error.field,
      cause: error,
    });
  }
}
