import type { MiddlewareHandler } from 'hono';
import { ServerError } from './server-error.js';

/**
 * The hosts `createApp` answers to when it is given none: the loopback names without a port, because
 * `app.request('/v1/…')` addresses `http://localhost/…` (and sends no `Host` header at all).
 */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** What `guardRequests` checks against. */
export interface RequestGuardOptions {
  /** Whether the server requires a bearer token; with one, any `Host` is accepted (see `guardRequests`). */
  readonly hasToken: boolean;
  /** The `Host` values (`name:port`, lower case) the server answers to. */
  readonly allowedHosts: readonly string[];
}

/**
 * The `Host` values of a server bound to `host:port`: that address as bound, and the loopback names
 * with the same port (a client may reach a loopback server by any of them). Port 80 is also listed
 * without it, since clients leave the default port out of `Host`.
 */
export function servedHosts(host: string, port: number): string[] {
  const bound = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const names = [...new Set([bound.toLowerCase(), ...DEFAULT_ALLOWED_HOSTS])];
  return names.flatMap((name) => (port === 80 ? [`${name}:80`, name] : [`${name}:${port}`]));
}

/**
 * Refuses what a web page could make a browser send to a server on this machine, before the bearer
 * check; curl, the CLI and SDKs send none of it.
 *
 * - A request but GET and HEAD that declares a type other than `application/json` (a UTF-8 charset
 *   allowed), or has a body and declares none: 415 `E_UNSUPPORTED_MEDIA_TYPE`. Any page may post
 *   `text/plain` or a form without a preflight; JSON needs one, which this server never grants.
 * - Without a token, a `Host` that is not one of `allowedHosts`: 421 `E_MISDIRECTED`, on every route,
 *   `/health` too. A page on a DNS name rebound to 127.0.0.1 is same-origin with its own name, so only
 *   `Host` tells its requests apart. With a token, any `Host` is accepted (proxies and DNS names the
 *   server cannot know of, load balancers probing `/health`): a page cannot send the token.
 * - An `Origin` other than the server's own (`http(s)://` one of `allowedHosts` or the request's `Host`):
 *   403 `E_FORBIDDEN_ORIGIN`. No `Origin` at all is fine: only browsers send one.
 */
export function guardRequests(options: RequestGuardOptions): MiddlewareHandler {
  const allowed = new Set(options.allowedHosts.map((host) => host.toLowerCase()));
  const shown = [...allowed].join(', ');
  return async (c, next) => {
    // No Host: `app.request()`, whose URL names `localhost`, or an HTTP/1.0 client, whose URL then names
    // the bound address without a port (refused without a token; browsers always send a Host).
    const host = (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
    if (!options.hasToken && !allowed.has(host)) {
      throw new ServerError(
        'E_MISDIRECTED',
        `This server answers only requests addressed to ${shown} (the Host header names another); ` +
          "give it a token to serve other names (see the README's Security section)",
        { field: 'host' },
      );
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !isOwnOrigin(origin, host, allowed)) {
      throw new ServerError(
        'E_FORBIDDEN_ORIGIN',
        'Requests from web pages of other origins are refused (the Origin header is not this server)',
        { field: 'origin' },
      );
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const type = c.req.header('content-type');
      const body = hasBody(c.req.header('content-length'), c.req.header('transfer-encoding'));
      if (type === undefined ? body : !isJson(type)) {
        throw new ServerError(
          'E_UNSUPPORTED_MEDIA_TYPE',
          'A request body must be JSON, sent with Content-Type: application/json',
          { field: 'content-type' },
        );
      }
    }
    await next();
  };
}

/** Whether `origin` is `http://` or `https://` followed by the request's own host or an allowed one. */
function isOwnOrigin(origin: string, host: string, allowed: ReadonlySet<string>): boolean {
  const match = /^https?:\/\/([^/]+)$/i.exec(origin.trim());
  const authority = match?.[1]?.toLowerCase();
  return authority !== undefined && (authority === host || allowed.has(authority));
}

/** `application/json`, with no parameter but a UTF-8 charset: the body is read as UTF-8 JSON. */
function isJson(contentType: string): boolean {
  const [type = '', ...parameters] = contentType.split(';');
  if (type.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => {
    if (parameter.trim() === '') return true;
    const [name = '', value = ''] = parameter.split('=');
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    return name.trim().toLowerCase() === 'charset' && (charset === 'utf-8' || charset === 'utf8');
  });
}

/** Whether a request's headers announce a body (in HTTP/1.1 it has one only with one of them). */
function hasBody(contentLength: string | undefined, transferEncoding: string | undefined): boolean {
  return transferEncoding !== undefined || (contentLength !== undefined && contentLength.trim() !== '0');
}
