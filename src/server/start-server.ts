import type { Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppDeps } from './app-deps.js';
import { createApp } from './app.js';
import { servedHosts } from './request-guard.js';
import { ServerError } from './server-error.js';

/** How long `close()` lets open requests finish before it closes their connections. */
export const CLOSE_GRACE_MS = 5_000;

/** Options of `startServer`: where to listen, and what to serve. */
export interface ServerOptions extends AppDeps {
  /** The address to bind; anything but loopback needs a `token`. */
  readonly host: string;
  /** The port; 0 picks a free one (see `url`). */
  readonly port: number;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /**
   * Stops taking connections, ends open event streams, lets requests in flight finish for up to
   * `CLOSE_GRACE_MS`, then closes what is left. The runtime is the caller's to close (its runs become
   * `interrupted`, resumable). Resolves once all is done.
   */
  close(): Promise<void>;
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Refuses to serve `host` without a token when it is not loopback: anyone who can reach the address could
 * run agents and shell steps. `startServer` checks it; a caller may check first, before it opens anything.
 * @throws ServerError `E_INSECURE`
 */
export function refuseInsecureBind(host: string, token: string | undefined): void {
  if (isLoopbackHost(host) || (token !== undefined && token !== '')) return;
  throw new ServerError(
    'E_INSECURE',
    `Refusing to listen on ${host} without a token: anyone who can reach it could run agents. ` +
      'Set --token (or FLOTILLA_TOKEN / server.token), or bind to 127.0.0.1.',
  );
}

/**
 * Serves the HTTP API of a runtime on `host:port`. Without a token it answers only requests addressed to
 * that address or a loopback name with its port (`allowedHosts` replaces that list). The runtime's job
 * scheduler and workflow engine should be started (`runtime.start(['jobs', 'workflows'])`): agent steps of
 * runs share the jobs' queue.
 * @throws ServerError `E_INSECURE` when `host` is not loopback and no token is set; `E_LISTEN` when
 *   the address cannot be bound.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { host, port, ...deps } = options;
  refuseInsecureBind(host, deps.token);
  const shutdown = new AbortController();
  const signal =
    deps.signal === undefined ? shutdown.signal : AbortSignal.any([shutdown.signal, deps.signal]);
  // The app is made once the port is bound (port 0 picks one), because the hosts it answers to name it.
  // 'listening' comes before any connection's callback, so no request finds it missing.
  const served: { app?: Hono } = {};
  const server = await listen((request) => served.app?.fetch(request) ?? notListening(), host, port);
  const address = server.address() as AddressInfo;
  const allowedHosts = deps.allowedHosts ?? servedHosts(host, address.port);
  served.app = createApp({ ...deps, signal, allowedHosts });
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve, reject) => {
      shutdown.abort();
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      force.unref();
      server.close((error) => {
        clearTimeout(force);
        if (error === undefined) resolve();
        else reject(error);
      });
      server.closeIdleConnections();
    }));
  return { url: `http://${shownHost}:${address.port}`, close };
}

function notListening(): Response {
  return new Response(null, { status: 503 });
}

function listen(fetch: (request: Request) => Response | Promise<Response>, host: string, port: number) {
  return new Promise<Server>((resolve, reject) => {
    // A library must not replace the host process's global Request and Response.
    const server = serve({ fetch, hostname: host, port, overrideGlobalObjects: false }) as Server;
    const onError = (error: Error): void => {
      server.close();
      reject(
        new ServerError('E_LISTEN', `Cannot listen on ${host}:${port}: ${error.message}`, { cause: error }),
      );
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}
