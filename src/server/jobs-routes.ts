import { Hono } from 'hono';
import { z } from 'zod';
import { InvalidArgumentError } from '../core/index.js';
import { JOB_STATUSES, type FlotillaEvent } from '../events/index.js';
import type { JobView } from '../jobs/index.js';
import type { AppDeps } from './app-deps.js';
import { followJobEvents } from './job-event-stream.js';
import { listQuerySchema } from './list-query.js';
import { parseInput } from './parse-input.js';
import { readJson } from './request-body.js';
import { ServerError } from './server-error.js';
import { lastEventId, sseResponse } from './sse-response.js';

/** The query of `GET /v1/jobs`. */
const listQuery = listQuerySchema(JOB_STATUSES);

/** The SSE event name of each job event (the README's HTTP API section lists them). */
const SSE_EVENT_NAMES: Partial<Record<FlotillaEvent['type'], string>> = {
  'job.status': 'status',
  'job.log': 'log',
  'job.result': 'result',
};

/**
 * The jobs API: submit (202), list (newest first), show, events (SSE with `Last-Event-ID` replay),
 * diff (`text/x-diff`) and cancel.
 */
export function jobsRoutes(deps: AppDeps): Hono {
  const { jobs } = deps.runtime;
  const app = new Hono();

  app.post('/v1/jobs', async (c) => {
    const body = await readJson(c);
    if (isBatch(body)) {
      const batch = parseInput(batchSchema, body);
      const views = await jobs.submitMany(batch.jobs);
      return c.json({ jobs: views.map(accepted) }, 202);
    }
    return c.json(accepted(await jobs.submit(body)), 202);
  });

  app.get('/v1/jobs', async (c) => {
    const query = parseInput(listQuery, c.req.query(), 'query');
    let page;
    try {
      page = await jobs.list(query);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      throw new ServerError('E_INVALID_REQUEST', `cursor: ${error.message}`, {
        field: 'cursor',
        cause: error,
      });
    }
    return c.json({ items: page.items, next_cursor: page.nextCursor });
  });

  app.get('/v1/jobs/:id', async (c) => c.json(found(await jobs.get(c.req.param('id')), c.req.param('id'))));

  app.delete('/v1/jobs/:id', async (c) => {
    const id = c.req.param('id');
    found(await jobs.get(id), id);
    return c.json(found(await jobs.cancel(id), id));
  });

  app.get('/v1/jobs/:id/diff', async (c) => {
    const id = c.req.param('id');
    const diff = await jobs.diff(id);
    if (diff === undefined) throw notFound(id);
    return c.body(diff, 200, { 'Content-Type': 'text/x-diff; charset=utf-8' });
  });

  app.get('/v1/jobs/:id/events', async (c) => {
    const id = c.req.param('id');
    found(await jobs.get(id), id);
    const afterSeq = lastEventId(c);
    return sseResponse(c, deps, async (stream, signal) => {
      for await (const event of followJobEvents(deps.runtime, id, afterSeq, signal)) {
        const name = SSE_EVENT_NAMES[event.type];
        if (name === undefined) continue;
        await stream.writeSSE({ id: String(event.seq), event: name, data: JSON.stringify(event) });
      }
    });
  });

  return app;
}

/** A batch of jobs (`{jobs: [...]}`), all accepted or none; each request is checked by the job service. */
const batchSchema = z.strictObject({
  jobs: z.array(z.unknown(), { error: 'expected an array of job requests' }),
});

/** Whether a body is a batch: an object with `jobs` (a single request has no such field). */
function isBatch(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'jobs');
}

/** What `POST /v1/jobs` answers for an accepted job; one that found a free slot has started: position 0. */
function accepted(job: JobView): { id: string; status: string; position: number } {
  return { id: job.id, status: job.status, position: job.queue_position ?? 0 };
}

/** The job, or a 404 naming the id. */
function found(job: JobView | undefined, id: string): JobView {
  if (job === undefined) throw notFound(id);
  return job;
}

function notFound(id: string): ServerError {
  return new ServerError('E_NOT_FOUND', `No job with id "${id}"`, { field: 'id' });
}
