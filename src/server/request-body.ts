import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ServerError } from './server-error.js';

/** Refuses bodies larger than `maxBodyBytes` with 413 `E_BODY_TOO_LARGE`, before anything reads them. */
export function limitBody(maxBodyBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new ServerError(
        'E_BODY_TOO_LARGE',
        `The request body is larger than the limit of ${maxBodyBytes} bytes`,
      );
    },
  });
}

/** The request's body parsed as JSON; throws `E_INVALID_JSON` (400) when it is empty or not JSON. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ServerError('E_INVALID_JSON', 'Expected a JSON body', { field: 'body' });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServerError('E_INVALID_JSON', `The body is not valid JSON: ${reason}`, {
      field: 'body',
      cause: error,
    });
  }
}
