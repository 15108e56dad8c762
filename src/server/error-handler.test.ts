import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  FlotillaError,
  InvalidArgumentError,
  QueueFullError,
  TimeoutError,
} from '../core/index.js';
import { JobServiceError } from '../jobs/index.js';
import { StoreError } from '../store/index.js';
import { RunError } from '../workflow/index.js';
import { createErrorHandler, errorBody, statusOf } from './error-handler.js';
import { ServerError } from './server-error.js';

describe('statusOf', () => {
  it('maps refused requests to 4xx: a full queue is 429, a run in the wrong state 409', () => {
    expect(statusOf(new InvalidArgumentError('bad'))).toBe(400);
    expect(statusOf(new ServerError('E_UNAUTHORIZED', 'no token'))).toBe(401);
    expect(statusOf(new RunError('E_RUN_NOT_FOUND', 'no run'))).toBe(404);
    expect(statusOf(new RunError('E_RUN_BUSY', 'elsewhere'))).toBe(409);
    expect(statusOf(new QueueFullError(10, 10))).toBe(429);
  });

  it('maps a stopping service to 503, a deadline to 504 and internal faults to 500', () => {
    expect(statusOf(new JobServiceError('E_STATE', 'stopping'))).toBe(503);
    expect(statusOf(new CancelledError())).toBe(503);
    expect(statusOf(new FlotillaError('E_INTERRUPTED', 'lease lost'))).toBe(503);
    expect(statusOf(new StoreError('E_STORE_BUSY', 'locked'))).toBe(503);
    expect(statusOf(new TimeoutError('late', 10))).toBe(504);
    expect(statusOf(new StoreError('E_STORE', 'disk full'))).toBe(500);
    expect(statusOf(new FlotillaError('E_SPAWN', 'no such command'))).toBe(500);
  });

  it('keeps an HTTPException’s status, and makes anything else a 500', () => {
    expect(statusOf(new HTTPException(418))).toBe(418);
    expect(statusOf(new Error('boom'))).toBe(500);
    expect(errorBody(new HTTPException(418)).error.code).toBe('E_HTTP_418');
    expect(errorBody(new Error('boom')).error).toEqual({
      code: 'E_INTERNAL',
      message: 'Internal server error',
    });
  });

  it('lets a subclass carry only the codes it declares (checked by `npm run typecheck`)', () => {
    // @ts-expect-error E_STORE is not a code of the HTTP layer.
    expect(statusOf(new ServerError('E_STORE', 'not mine'))).toBe(500);
  });
});

describe('createErrorHandler', () => {
  /** What the operator hears of the error a route throws: faults, and the lines of `onServerLog`. */
  async function heard(error: unknown) {
    const faults: unknown[] = [];
    const lines: string[] = [];
    const app = new Hono();
    app.onError(
      createErrorHandler({
        retryAfterSeconds: () => 1,
        onServerFault: (fault) => faults.push(fault),
        onServerLog: (level, message) => lines.push(`${level} ${message}`),
      }),
    );
    app.post('/v1/things', () => {
      throw error;
    });
    const response = await app.request('/v1/things', { method: 'POST' });
    return { status: response.status, faults, lines };
  }

  it('gives a bug (a 500) whole to onServerFault, and nothing to the log', async () => {
    const bug = new Error('boom');
    expect(await heard(bug)).toEqual({ status: 500, faults: [bug], lines: [] });
    const store = new StoreError('E_STORE', 'disk full');
    expect(await heard(store)).toEqual({ status: 500, faults: [store], lines: [] });
  });

  it('logs the other 5xx as one info line each: no bug, the server stops or an upstream failed', async () => {
    expect(await heard(new JobServiceError('E_STATE', 'The job service is stopping'))).toEqual({
      status: 503,
      faults: [],
      lines: ['info POST /v1/things: 503 E_STATE: The job service is stopping'],
    });
    expect(await heard(new TimeoutError('late', 10))).toMatchObject({ status: 504, faults: [] });
  });

  it('logs a client that went away at debug, and a refusal not at all', async () => {
    expect(await heard(new ServerError('E_CLIENT_GONE', 'The client went away'))).toEqual({
      status: 400,
      faults: [],
      lines: ['debug POST /v1/things: The client went away'],
    });
    expect(await heard(new ServerError('E_AGENT_FAILED', 'The agent failed'))).toEqual({
      status: 424,
      faults: [],
      lines: [],
    });
    expect(await heard(new QueueFullError(10, 10))).toEqual({ status: 429, faults: [], lines: [] });
  });
});
