import { Hono } from 'hono';
import type { AppDeps } from './app-deps.js';
import { bearerAuth } from './auth.js';
import { createErrorHandler, notFoundHandler } from './error-handler.js';
import { jobsRoutes } from './jobs-routes.js';
import { openAiRoutes } from './openai-routes.js';
import { qaRoutes } from './qa-routes.js';
import { limitBody } from './request-body.js';
import { DEFAULT_ALLOWED_HOSTS, guardRequests } from './request-guard.js';
import { requestIds } from './request-id.js';
import { estimateRetryAfterSeconds } from './retry-after.js';
import { runsRoutes } from './runs-routes.js';
import { serverConfigRoutes } from './server-config-routes.js';

/**
 * The HTTP API (the README's "The HTTP API" section) as a Hono app: test it with `app.request()`, serve
 * it with `startServer`. Every request passes the guard against web pages (its type, `Host` and
 * `Origin`), the bearer check (but `/health`), then the body limit; every error leaves through
 * `error-handler.ts` as `{ error: { code, message, field? } }`.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(
    createErrorHandler({
      retryAfterSeconds: () => estimateRetryAfterSeconds(deps.runtime.jobs),
      ...(deps.onServerFault === undefined ? {} : { onServerFault: deps.onServerFault }),
      ...(deps.onServerLog === undefined ? {} : { onServerLog: deps.onServerLog }),
    }),
  );
  app.notFound(notFoundHandler);
  // First, so that the refusals of the guard and the bearer check carry an id too.
  app.use('*', requestIds());
  app.use(
    '*',
    guardRequests({
      hasToken: deps.token !== undefined && deps.token !== '',
      allowedHosts: deps.allowedHosts ?? DEFAULT_ALLOWED_HOSTS,
    }),
  );
  app.use('*', bearerAuth(deps.token));
  app.use('*', limitBody(deps.maxBodyBytes));
  app.route('/', serverConfigRoutes(deps));
  app.route('/', jobsRoutes(deps));
  app.route('/', openAiRoutes(deps));
  app.route('/', runsRoutes(deps));
  app.route('/', qaRoutes(deps));
  return app;
}
