/**
 * The HTTP server (the README's "The HTTP API" section): the jobs API, workflow runs, SSE event streams,
 * the OpenAI-compatible endpoints, health and live server configuration, behind a guard against web
 * pages, a bearer token and a body limit.
 */
export { createApp } from './app.js';
export { SSE_HEARTBEAT_MS, type AppDeps } from './app-deps.js';
export { errorBody, statusOf, type ErrorBody, type WorkflowIssueBody } from './error-handler.js';
export { DEFAULT_ALLOWED_HOSTS, servedHosts } from './request-guard.js';
export { MAX_CONCURRENCY, MAX_QUEUE_LIMIT } from './server-config-routes.js';
export { ServerError, type ServerErrorCode } from './server-error.js';
export {
  CLOSE_GRACE_MS,
  isLoopbackHost,
  refuseInsecureBind,
  startServer,
  type RunningServer,
  type ServerOptions,
} from './start-server.js';
