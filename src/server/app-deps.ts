import type { Runtime } from '../runtime/index.js';

/** How often an open SSE stream sends a comment so that proxies keep it open. */
export const SSE_HEARTBEAT_MS = 15_000;

/**
 * What of the runtime the HTTP app serves: its scheduler, engine, process bound, QA runs, store, event
 * bus and configuration.
 */
export type ServedRuntime = Pick<
  Runtime,
  'jobs' | 'workflows' | 'processes' | 'qa' | 'store' | 'bus' | 'config'
>;

/**
 * How much an expected outcome matters to the server's operator: `info` for outcomes of the work (a
 * chat whose agent failed, a 5xx that is no bug: a shutdown, a deadline), `debug` for what a client did
 * to itself (it hung up mid-body or mid-request).
 */
export type ServerLogLevel = 'info' | 'debug';

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
  /**
   * Told about server faults, the bugs (a 500, an error inside an open stream), with the whole error;
   * refused requests are answers and expected outcomes go to `onServerLog`, not here. @default ignore
   */
  readonly onServerFault?: (error: unknown) => void;
  /**
   * Told about expected outcomes, one message each (no stack: nothing is wrong with the server). A
   * message may quote an agent's error, which can span lines. @default ignore
   */
  readonly onServerLog?: (level: ServerLogLevel, message: string) => void;
}
