import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ServerError } from './server-error.js';

/** Paths anyone may read, token or not (load balancers and uptime checks probe them). */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/health']);

/**
 * Requires `Authorization: Bearer <token>` on every route but `PUBLIC_PATHS`. The comparison runs in
 * constant time over SHA-256 digests (equal lengths whatever was sent), and the token is never logged
 * or echoed. Without a token, everything passes.
 */
export function bearerAuth(token: string | undefined): MiddlewareHandler {
  if (token === undefined) return (_c, next) => next();
  const expected = digest(token);
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    const header = c.req.header('authorization');
    if (header === undefined) {
      throw new ServerError('E_UNAUTHORIZED', 'This server needs a bearer token (Authorization: Bearer …)');
    }
    const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
    if (match === null || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new ServerError('E_UNAUTHORIZED', 'The bearer token is not valid');
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
