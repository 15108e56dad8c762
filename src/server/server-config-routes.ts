import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from './app-deps.js';
import { parseInput } from './parse-input.js';
import { readJson } from './request-body.js';

/** The largest `concurrency` a client may set live. */
export const MAX_CONCURRENCY = 1000;
/** The largest `max_queue` a client may set live. */
export const MAX_QUEUE_LIMIT = 1_000_000;

/** An integer from `min` to `max`, each bound with its own message. */
function boundedInteger(min: number, max: number) {
  return z
    .number({ error: `expected an integer ≥ ${min}` })
    .int(`expected an integer ≥ ${min}`)
    .min(min, `expected an integer ≥ ${min}`)
    .max(max, `expected an integer ≤ ${max}`);
}

/** The body of `PATCH /api/server-config`: each key is optional; unknown keys are refused. */
const serverConfigPatchSchema = z.strictObject({
  concurrency: boundedInteger(1, MAX_CONCURRENCY).optional(),
  max_queue: boundedInteger(0, MAX_QUEUE_LIMIT).optional(),
});

/**
 * `GET /health` (no token needed) and `GET`/`PATCH /api/server-config`: the bounds of the job service,
 * changed live. Growing `concurrency` starts queued jobs at once; shrinking lets running ones finish;
 * lowering `max_queue` keeps the jobs already waiting. A change lasts until the server restarts.
 */
export function serverConfigRoutes(deps: AppDeps): Hono {
  const { jobs, processes, config } = deps.runtime;
  const app = new Hono();

  app.get('/health', (c) => c.json({ status: 'ok', ...jobs.health() }));

  const current = () => {
    const { capacity, max_queue } = jobs.health();
    const agentCaps = Object.fromEntries(
      Object.entries(config.agents).flatMap(([name, profile]) =>
        profile.concurrency === undefined ? [] : [[name, profile.concurrency]],
      ),
    );
    return {
      concurrency: capacity,
      max_queue,
      caps: {
        concurrency: { min: 1, max: MAX_CONCURRENCY },
        max_queue: { min: 0, max: MAX_QUEUE_LIMIT },
        agent_concurrency: agentCaps,
      },
    };
  };

  app.get('/api/server-config', (c) => c.json(current()));

  app.patch('/api/server-config', async (c) => {
    const { concurrency, max_queue: maxQueue } = parseInput(
      serverConfigPatchSchema,
      await readJson(c),
      'body',
      Object.keys(serverConfigPatchSchema.shape),
    );
    jobs.resize({
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(maxQueue === undefined ? {} : { maxQueue }),
    });
    // The processes steps start share the server's concurrency (they do not queue at the door).
    if (concurrency !== undefined) processes.resize(concurrency);
    return c.json(current());
  });

  return app;
}
