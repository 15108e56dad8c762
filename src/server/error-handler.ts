import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FlotillaError } from '../core/index.js';
import { JobRequestError } from '../jobs/index.js';
import { WorkflowError, WorkflowInputError, type WorkflowIssue } from '../workflow/index.js';
import { ServerError } from './server-error.js';

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly field?: string;
    /** Every problem of an invalid workflow, with its line and column (the message lists them too). */
    readonly issues?: readonly WorkflowIssueBody[];
  };
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
 * The one place where an error becomes an HTTP status: a `FlotillaError`'s stable code → status.
 * Codes not listed are server faults (500). A full queue is 429, never 409 or 503; 409 is only for a
 * run whose state does not allow the request (driven elsewhere, finished, or waiting for nothing).
 */
const STATUS_BY_CODE: Readonly<Record<string, ContentfulStatusCode>> = {
  E_INVALID_JSON: 400,
  E_INVALID_REQUEST: 400,
  E_INVALID_ARGUMENT: 400,
  E_AGENT_UNKNOWN: 400,
  E_REPO_UNKNOWN: 400,
  E_WORKFLOW_INVALID: 400,
  E_WORKFLOW_INPUT: 400,
  E_UNAUTHORIZED: 401,
  E_NOT_FOUND: 404,
  E_RUN_NOT_FOUND: 404,
  E_RUN_BUSY: 409,
  E_RUN_NOT_RESUMABLE: 409,
  E_RUN_NOT_WAITING: 409,
  E_BODY_TOO_LARGE: 413,
  E_QUEUE_FULL: 429,
  E_AGENT_FAILED: 502,
  // The job service is stopping (shutdown) or not started: not a capacity answer.
  E_STATE: 503,
  E_SERVER_STATE: 503,
  // Another process took this home's jobs over while this server was not answering (suspended).
  E_HOME_BUSY: 503,
  E_TIMEOUT: 504,
};

/** The HTTP status that `error` means. */
export function statusOf(error: unknown): ContentfulStatusCode {
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

/** Options of `createErrorHandler`. */
export interface ErrorHandlerOptions {
  /** Seconds a refused client should wait before trying again (`Retry-After` of a 429). */
  readonly retryAfterSeconds: () => number | Promise<number>;
  /** Told about server faults (500s), never about refused requests. @default ignore */
  readonly onServerFault?: (error: unknown) => void;
}

/** Hono's `onError`: every thrown error becomes `{ error: { code, message, field? } }` with its status. */
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
  if (status >= 500) options.onServerFault?.(error);
  return c.json(errorBody(error), status);
}

/** Hono's `notFound`: an unknown route is a JSON 404 like any other. */
export const notFoundHandler: NotFoundHandler = (c) =>
  c.json(
    { error: { code: 'E_NOT_FOUND', message: `No route ${c.req.method} ${c.req.path}` } } satisfies ErrorBody,
    404,
  );

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
