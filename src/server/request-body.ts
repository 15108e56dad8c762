import type { Context, MiddlewareHandler } from 'hono';
import { ServerError } from './server-error.js';

/** Bodies already read by `limitBody` (those sent without a Content-Length), by request. */
const bodies = new WeakMap<Request, string>();

function tooLarge(maxBodyBytes: number): ServerError {
  return new ServerError(
    'E_BODY_TOO_LARGE',
    `The request body is larger than the limit of ${maxBodyBytes} bytes`,
  );
}

/**
 * Refuses bodies larger than `maxBodyBytes` with 413 `E_BODY_TOO_LARGE` before a route reads them: at once
 * by `Content-Length`, or, for a chunked body, by counting bytes as it arrives and stopping at the limit.
 * (Hono's own `bodyLimit` rebuilds the request for chunked bodies, which fails under @hono/node-server
 * when global objects are not overridden.)
 */
export function limitBody(maxBodyBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const request = c.req.raw;
    const length = c.req.header('content-length');
    if (length !== undefined) {
      if (Number(length) > maxBodyBytes) throw tooLarge(maxBodyBytes);
    } else if (request.body !== null) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      try {
        for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
          size += chunk.byteLength;
          if (size > maxBodyBytes) throw tooLarge(maxBodyBytes);
          chunks.push(chunk);
        }
      } catch (error) {
        throw error instanceof ServerError ? error : readFailure(c, error);
      }
      bodies.set(request, Buffer.concat(chunks).toString('utf8'));
    }
    await next();
  };
}

/**
 * Why a body could not be read. A client that closed its connection mid-body (the request's signal
 * aborts then, before the read fails with `aborted`) is `E_CLIENT_GONE`, the client's own doing and
 * nobody's fault; anything else stays what it is, a fault.
 */
function readFailure(c: Context, error: unknown): unknown {
  if (!c.req.raw.signal.aborted) return error;
  return new ServerError('E_CLIENT_GONE', 'The client went away before it sent the whole body', {
    cause: error,
  });
}

/**
 * The request's body parsed as JSON; throws `E_INVALID_JSON` (400) when it is not JSON, or empty unless
 * `optional` (then an empty body reads as `{}`).
 */
export async function readJson(c: Context, options: { optional?: boolean } = {}): Promise<unknown> {
  let text: string;
  try {
    text = bodies.get(c.req.raw) ?? (await c.req.text());
  } catch (error) {
    throw readFailure(c, error);
  }
  if (text.trim() === '' && options.optional === true) return {};
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
