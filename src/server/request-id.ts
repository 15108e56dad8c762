import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** The response header that names a request; the OpenAI SDK shows it as `_request_id` and `request_id`. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A request id of the server's own: `req_` and 24 random hex digits. */
export function newRequestId(): string {
  // 96 random bits out of a version-4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`): its first two groups
  // and its last, leaving out the dashes and the fixed version and variant digits. `randomUUID` draws on a
  // cached block of random bytes; `randomBytes(12)` asked OpenSSL for every response.
  const uuid = randomUUID();
  return `req_${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(24)}`;
}

/**
 * Gives every response an `x-request-id`: the one its route set (a chat completion names its job), or a
 * new one. A client's own `x-request-id` is never echoed: what this header says is the server's word,
 * and a value copied from a request could say anything.
 */
export function requestIds(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!c.res.headers.has(REQUEST_ID_HEADER)) c.res.headers.set(REQUEST_ID_HEADER, newRequestId());
  };
}
