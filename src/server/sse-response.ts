import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { SSE_HEARTBEAT_MS, type AppDeps } from './app-deps.js';
import { ServerError } from './server-error.js';

/**
 * What of the app's settings a stream uses: its heartbeat (`heartbeatMs`), the shutdown that ends it
 * (`signal`), and who hears of a fault once the stream is open and no error response can follow.
 */
export type SseSettings = Pick<AppDeps, 'heartbeatMs' | 'signal' | 'onServerFault'>;

/**
 * A `text/event-stream` response whose messages `produce` writes. `produce` gets a signal that aborts
 * when the client goes away or the server shuts down; the stream closes when `produce` returns, and
 * the heartbeat and every listener are removed then, whatever ended it.
 */
export function sseResponse(
  c: Context,
  settings: SseSettings,
  produce: (stream: SSEStreamingApi, signal: AbortSignal) => Promise<void>,
): Response {
  c.header('X-Accel-Buffering', 'no');
  const response = streamSSE(c, async (stream) => {
    const ended = new AbortController();
    const end = (): void => ended.abort();
    const clientSignal = c.req.raw.signal;
    const shutdown = settings.signal;
    stream.onAbort(end);
    clientSignal.addEventListener('abort', end, { once: true });
    shutdown?.addEventListener('abort', end, { once: true });
    if (clientSignal.aborted || shutdown?.aborted === true) end();
    const heartbeatMs = settings.heartbeatMs ?? SSE_HEARTBEAT_MS;
    const heartbeat = setInterval(() => void stream.write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    try {
      await produce(stream, ended.signal);
    } catch (error) {
      settings.onServerFault?.(error);
    } finally {
      clearInterval(heartbeat);
      clientSignal.removeEventListener('abort', end);
      shutdown?.removeEventListener('abort', end);
    }
  });
  // A stream holds its connection for its whole life; when it ends, the connection goes too, so that a
  // client that left without closing its socket never keeps the server from closing.
  response.headers.set('Connection', 'close');
  return response;
}

/**
 * The sequence number a reconnecting client saw last: the `Last-Event-ID` header, or the `last_event_id`
 * query parameter (an `EventSource` cannot set headers); 0 for the start.
 */
export function lastEventId(c: Context): number {
  const value = c.req.header('last-event-id') ?? c.req.query('last_event_id');
  if (value === undefined || value.trim() === '') return 0;
  const seq = Number(value);
  if (Number.isSafeInteger(seq) && seq >= 0) return seq;
  throw new ServerError('E_INVALID_REQUEST', `Last-Event-ID: expected an event id, got "${value}"`, {
    field: 'Last-Event-ID',
  });
}
