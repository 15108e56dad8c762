import type { SequencedEvent } from './types.js';

/** One Server-Sent Events message as text: `id`, `event`, then `data` split on newlines. */
export function formatSseMessage(message: { id?: string | number; event?: string; data: string }): string {
  let text = '';
  if (message.id !== undefined) text += `id: ${message.id}\n`;
  if (message.event !== undefined) text += `event: ${message.event}\n`;
  for (const line of message.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** Options of an `SseSink`. */
export interface SseSinkOptions {
  /** The SSE event name of an event. @default the event's `type` */
  readonly eventName?: (event: SequencedEvent) => string;
}

/**
 * Writes events as SSE messages whose `id` is the event's `seq`, so a client's `Last-Event-ID`
 * resumes right after the last event it saw.
 */
export class SseSink {
  readonly #write: (chunk: string) => void;
  readonly #eventName: (event: SequencedEvent) => string;

  constructor(write: (chunk: string) => void, options: SseSinkOptions = {}) {
    this.#write = write;
    this.#eventName = options.eventName ?? ((event) => event.type);
  }

  write(event: SequencedEvent): void {
    this.#write(
      formatSseMessage({ id: event.seq, event: this.#eventName(event), data: JSON.stringify(event) }),
    );
  }

  /** A comment line that keeps proxies from closing an idle stream. */
  heartbeat(): void {
    this.#write(': keep-alive\n\n');
  }
}
