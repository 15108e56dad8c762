import type { Runtime } from '../runtime/index.js';

/** How often an open SSE stream sends a comment so that proxies keep it open. */
export const SSE_HEARTBEAT_MS = 15_000;

/** What of the runtime the HTTP app serves: its scheduler, engine, store, event bus and configuration. */
export type ServedRuntime = Pick<Runtime, 'jobs' | 'workflows' | 'store' | 'bus' | 'config'>;

/** What the HTTP app serves from. */
export interface AppDeps {
  /** Opened (and started) by the caller, which also closes it: `openRuntime`. */
  readonly runtime: ServedRuntime;
  /** The bearer token every route but `/health` requires; none when absent. Never logged. */
  readonly token?: string;
  /**
   * The `Host` values (`name:port`, as clients send them) that a server without a token answers to;
   * a request addressed to another is refused with 421, and an `Origin` must be one of them (see
   * `guardRequests`). `startServer` sets its bound address and the loopback names with its port.
   * @default DEFAULT_ALLOWED_HOSTS (`localhost`, `127.0.0.1` and `[::1]` without a port, as
   *   `app.request()` addresses the app)
   */
  readonly allowedHosts?: readonly string[];
  /** The largest request body accepted; larger gets 413. */
  readonly maxBodyBytes: number;
  /** Ends every open stream (SSE, streamed chat) when aborted: the server is shutting down. */
  readonly signal?: AbortSignal;
  /** @default SSE_HEARTBEAT_MS */
  readonly heartbeatMs?: number;
  /** Told about server faults (500s); refused requests are answers, not faults. @default ignore */
  readonly onServerFault?: (error: unknown) => void;
}
