import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { FlotillaEvent } from './types.js';

/** Appends events to a file, one JSON document per line, in the order they were written. */
export class JsonlSink {
  readonly #stream: WriteStream;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.#stream = createWriteStream(path, { flags: 'a' });
  }

  write(event: FlotillaEvent): void {
    this.#stream.write(`${JSON.stringify(event)}\n`);
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }
}
