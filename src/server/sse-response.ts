import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { ServerError } from './server-error.js';

/** Options of `sseResponse`. */
export interface SseResponseOptions {
  /** A comment goes out this often while the stream is open. */
  readonly heartbeatMs: number;
  /** Ends the stream when aborted (server shutdown). */
  readonly shutdown?: AbortSignal;
  /** Told when `produce` throws: the stream is already open, so no error response can follow. */
  readonly onError?: (error: unknown) => void;
}

/**
 * A `text/event-stream` response whose messages `produce` writes. `produce` gets a signal that aborts
 * when the client goes away or the server shuts down; the stream closes when `produce` returns, and
 * the heartbeat and every listener are removed then, whatever ended it.
 */
export function sseResponse(
  c: Context,
  options: SseResponseOptions,
  produce: (stream: SSEStreamingApi, signal: AbortSignal) => Promise<void>,
): Response {
  c.header('X-Accel-Buffering', 'no');
  const response = streamSSE(c, async (stream) => {
    const ended = new AbortController();
    const end = (): void => ended.abort();
    const clientSignal = c.req.raw.signal;
    stream.onAbort(end);
    clientSignal.addEventListener('abort', end, { once: true });
    options.shutdown?.addEventListener('abort', end, { once: true });
    if (clientSignal.aborted || options.shutdown?.aborted === true) end();
    const heartbeat = setInterval(() => void stream.write(': keep-alive\n\n'), options.heartbeatMs);
    heartbeat.unref();
    try {
      await produce(stream, ended.signal);
    } catch (error) {
      options.onError?.(error);
    } finally {
      clearInterval(heartbeat);
      clientSignal.removeEventListener('abort', end);
      options.shutdown?.removeEventListener('abort', end);
    }
  });
  // A stream holds its connection for its whole life; when it ends, the connection goes too, so that a
  // client that left without closing its socket never keeps the server from closing.
  response.headers.set('Connection', 'close');
  return response;
}

/** The sequence number a reconnecting client saw last (`Last-Event-ID`; 0: from the start). */
export function lastEventId(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 0;
  const seq = Number(value);
  if (Number.isSafeInteger(seq) && seq >= 0) return seq;
  throw new ServerError('E_INVALID_REQUEST', `Last-Event-ID: expected an event id, got "${value}"`, {
    field: 'Last-Event-ID',
  });
}
