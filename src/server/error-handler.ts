import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FlotillaError, type ErrorCode } from '../core/index.js';
import { JobRequestError } from '../jobs/index.js';
import { WorkflowError, WorkflowInputError, type WorkflowIssue } from '../workflow/index.js';
import type { AppDeps } from './app-deps.js';
import { isOpenAiPath, openAiError, type OpenAiError } from './openai-error.js';
import { ServerError } from './server-error.js';

/**
 * The code of an error response: a `FlotillaError`'s, `E_HTTP_<status>` for a refusal of Hono's own
 * (an `HTTPException`), or `E_INTERNAL` for a fault, whose details stay in the server's log.
 */
export type ErrorBodyCode = ErrorCode | `E_HTTP_${number}` | 'E_INTERNAL';

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorBodyCode;
    readonly message: string;
    readonly field?: string;
    /** Every problem of an invalid workflow, with its line and column (the message lists them too). */
    readonly issues?: readonly WorkflowIssueBody[];
  };
}

/** The JSON body of an error response of an OpenAI-compatible route. */
export interface OpenAiErrorBody {
  readonly error: OpenAiError;
}

/** One problem of an invalid workflow, as an error body lists it. */
export interface WorkflowIssueBody {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;
  readonly step?: string;
}

/**
 * The one place where an error becomes an HTTP status: a `FlotillaError`'s stable code → status, every
 * code listed. A full queue is 429, never 409 or 503; 409 is only for a run whose state does not allow
 * the request (driven elsewhere, finished, or waiting for nothing).
 */
const STATUS_BY_CODE: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  // core
  E_QUEUE_FULL: 429,
  E_INVALID_ARGUMENT: 400,
  E_TIMEOUT: 504,
  // The reason the other items of a halted batch are aborted with; the batch ends as a failed step.
  E_HALTED: 500,
  // Work of a request is cancelled under it by a shutdown (a user's cancel ends a job, not a request):
  // like E_STATE, the service is going away, try again.
  E_CANCELLED: 503,
  // Stopped by a shutdown or a lost lease; the work resumes, so the request may be tried again.
  E_INTERRUPTED: 503,

  // config: the server's own configuration is not the client's doing (it loads before the server starts).
  E_CONFIG: 500,

  // store: the database failed under a request, or a generated id collided: faults of the server.
  E_STORE: 500,
  E_STORE_VERSION: 500,
  E_STORE_DUPLICATE: 500,
  // Another process holds the database lock: transient, the same request will succeed later.
  E_STORE_BUSY: 503,

  // exec: a command Flotilla itself starts could not be (a missing binary is the host's setup): a fault.
  E_SPAWN: 500,
  E_PROCESS_LOST: 500,

  // workspace
  E_REPO_UNKNOWN: 400,
  // The client named a ref, as it names a repository: a bad request, not a fault.
  E_REF_UNKNOWN: 400,
  // The server's configured folder, its git or its setup command failed: faults the client cannot fix.
  E_REPO_UNAVAILABLE: 500,
  E_SETUP_FAILED: 500,
  E_GIT: 500,
  // The workspace manager is stopping (or not started), like E_STATE.
  E_WORKSPACE_STATE: 503,

  // agents
  // A profile that cannot run as configured is the server's configuration: a fault.
  E_AGENT_CONFIG: 500,
  // The client's prompt (or id) cannot be put in an argv (a NUL character).
  E_AGENT_REQUEST: 400,
  // The agent's endpoint refused: an upstream's answer. (Behind a chat it ends the job: E_AGENT_FAILED.)
  E_AGENT_HTTP: 502,

  // jobs
  E_INVALID_REQUEST: 400,
  E_AGENT_UNKNOWN: 400,
  // The job service or the workflow engine is stopping (shutdown) or not started: not a capacity answer.
  E_STATE: 503,
  // Another process took this home's jobs over while this server was not answering (suspended).
  E_HOME_BUSY: 503,

  // workflow
  E_WORKFLOW_INVALID: 400,
  E_WORKFLOW_INPUT: 400,
  // At load time an expression's problem is an E_WORKFLOW_INVALID; one that escapes is the client's template.
  E_EXPRESSION: 400,
  // A failed step is kept with its run, never a request's answer: one that escapes is a fault.
  E_STEP_FAILED: 500,
  E_RUN_NOT_FOUND: 404,
  E_RUN_BUSY: 409,
  E_RUN_NOT_RESUMABLE: 409,
  E_RUN_NOT_WAITING: 409,

  // suites: a report is read from a suite's own output, and its problem is kept with the suite's result
  // (status `error`); one that escapes to a request is a fault.
  E_PLAN_BRANCH_EXISTS: 400,
  E_REPORT: 500,

  // qa: a site's sitemap is read by the crawler, and its problem is kept with the crawl's findings;
  // one that escapes to a request is a fault.
  E_SITEMAP: 500,
  // qa: the browser is the host's (a missing Chromium is its setup, like E_SPAWN) and its crashes are faults.
  E_NO_BROWSER: 500,
  E_BROWSER_LAUNCH: 500,
  E_BROWSER_CRASHED: 500,
  // qa: the credentials or selectors a request gave do not log in to its site.
  E_LOGIN: 400,

  // server
  E_INVALID_JSON: 400,
  E_UNAUTHORIZED: 401,
  E_NOT_FOUND: 404,
  E_BODY_TOO_LARGE: 413,
  // The chat's job ran and its agent failed. Not a 5xx: the OpenAI and AI SDKs retry 408, 409, 429 and
  // every 5xx twice by default, which would run the agent (its cost, its side effects) three times.
  // 424 Failed Dependency (the answer depended on the agent's job, which failed) is retried by neither;
  // `respondWithError` adds `x-should-retry: false` for clients that honour it.
  E_AGENT_FAILED: 424,
  // Nobody reads this answer: the client hung up. An incomplete request is a bad one; never a fault.
  E_CLIENT_GONE: 400,
  E_UNSUPPORTED_MEDIA_TYPE: 415,
  E_MISDIRECTED: 421,
  E_FORBIDDEN_ORIGIN: 403,
  E_SERVER_STATE: 503,
  // The server's policy, not the request's form: the operator may allow it.
  E_SHELL_STEPS_OFF: 403,
  // Refusals to start (before any request): no request can be answered with them, so they are faults.
  E_INSECURE: 500,
  E_LISTEN: 500,

  // cli: the CLI raises these, never the server; their status is what they mean.
  E_USAGE: 400,
  // A server that could not be reached (or answered what it should not) is a bad gateway.
  E_UNREACHABLE: 502,
  E_API: 502,
};

/** The HTTP status that `error` means. */
export function statusOf(error: unknown): ContentfulStatusCode {
  // `??`: a code that only JavaScript (or a cast) could have given is a fault, as it always was.
  if (error instanceof FlotillaError) return STATUS_BY_CODE[error.code] ?? 500;
  if (error instanceof HTTPException) return error.status;
  return 500;
}

/** The JSON body for `error`; a server fault says only that it is one. */
export function errorBody(error: unknown): ErrorBody {
  if (error instanceof FlotillaError) {
    const field = fieldOf(error);
    const issues = error instanceof WorkflowError ? error.issues.map(issueBody) : undefined;
    return {
      error: {
        code: error.code,
        message: error.message,
        ...(field === undefined ? {} : { field }),
        ...(issues === undefined ? {} : { issues }),
      },
    };
  }
  if (error instanceof HTTPException) {
    return { error: { code: `E_HTTP_${error.status}`, message: error.message || 'Request refused' } };
  }
  return { error: { code: 'E_INTERNAL', message: 'Internal server error' } };
}

/** The JSON body for `error` answered with `status` to a request for `path`: OpenAI's shape on its routes. */
export function errorBodyAt(path: string, error: unknown, status: number): ErrorBody | OpenAiErrorBody {
  const body = errorBody(error);
  if (!isOpenAiPath(path)) return body;
  const openAiCode = error instanceof ServerError ? error.openAiCode : undefined;
  return { error: openAiError(body.error, status, openAiCode) };
}

/** Options of `createErrorHandler`. */
export interface ErrorHandlerOptions {
  /** Seconds a refused client should wait before trying again (`Retry-After` of a 429). */
  readonly retryAfterSeconds: () => number | Promise<number>;
  /** Told about server faults (500s), never about refused requests. @default ignore */
  readonly onServerFault?: AppDeps['onServerFault'];
  /** Told about the other 5xx (no bug) and clients that went away, one line each. @default ignore */
  readonly onServerLog?: AppDeps['onServerLog'];
}

/**
 * Hono's `onError`: every thrown error becomes `{ error: { code, message, field? } }` with its status,
 * in OpenAI's shape on the OpenAI-compatible routes (`errorBodyAt`).
 */
export function createErrorHandler(options: ErrorHandlerOptions): ErrorHandler {
  return (error, c) => respondWithError(c, error, options);
}

/** Writes the error response for `error` (also used by handlers that catch before streaming). */
export async function respondWithError(
  c: Context,
  error: unknown,
  options: ErrorHandlerOptions,
): Promise<Response> {
  const status = statusOf(error);
  if (status === 429) {
    c.header('Retry-After', String(Math.max(1, Math.ceil(await options.retryAfterSeconds()))));
  }
  if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="flotilla"');
  // The work ran: trying again would run it again (the OpenAI SDK obeys this header before the status).
  if (error instanceof FlotillaError && error.code === 'E_AGENT_FAILED') c.header('x-should-retry', 'false');
  report(c, error, status, options);
  return c.json(errorBodyAt(c.req.path, error, status), status);
}

/**
 * Tells the operator of an error answer at the level it deserves: a 500 is a fault (a bug, or the host's
 * setup) and goes whole to `onServerFault`; the other 5xx (stopping, a deadline, an upstream's answer)
 * are outcomes, one line each; a client that hung up is its own doing (debug); a refusal (4xx) was
 * told to the client and is nobody else's concern.
 */
function report(c: Context, error: unknown, status: number, options: ErrorHandlerOptions): void {
  const { code, message } = errorBody(error).error;
  if (code === 'E_CLIENT_GONE') options.onServerLog?.('debug', `${c.req.method} ${c.req.path}: ${message}`);
  else if (status === 500) options.onServerFault?.(error);
  else if (status > 500)
    options.onServerLog?.('info', `${c.req.method} ${c.req.path}: ${status} ${code}: ${message}`);
}

/** Hono's `notFound`: an unknown route is a JSON 404 like any other. */
export const notFoundHandler: NotFoundHandler = (c) => {
  const error = new ServerError('E_NOT_FOUND', `No route ${c.req.method} ${c.req.path}`);
  return c.json(errorBodyAt(c.req.path, error, 404), 404);
};

function fieldOf(error: FlotillaError): string | undefined {
  if (error instanceof ServerError || error instanceof JobRequestError) return error.field;
  if (error instanceof WorkflowError) return 'workflow';
  if (error instanceof WorkflowInputError)
    return error.input === undefined ? 'inputs' : `inputs.${error.input}`;
  return undefined;
}

/** A workflow problem without the absolute path of the server's file. */
function issueBody(issue: WorkflowIssue): WorkflowIssueBody {
  const { message, line, column, path, step } = issue;
  return {
    message,
    ...(line === undefined ? {} : { line }),
    ...(column === undefined ? {} : { column }),
    ...(path === undefined ? {} : { path }),
    ...(step === undefined ? {} : { step }),
  };
}
