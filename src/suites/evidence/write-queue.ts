import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Runs asynchronous tasks one at a time, in the order they were given: every file of an evidence folder
 * is written through one, so two suites finishing at once never interleave their writes. A failed task
 * does not stop the ones after it; the first failure is kept for `drain`.
 */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();
  #failures: unknown[] = [];

  /** Queues `task`; the promise settles as the task does. Dropping it is safe (nothing goes unhandled). */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => undefined,
      (error: unknown) => {
        this.#failures.push(error);
      },
    );
    return result;
  }

  /** Waits for every task queued so far; rejects with the first failure of any task since the start. */
  async drain(): Promise<void> {
    await this.#tail;
    if (this.#failures.length > 0) throw this.#failures[0];
  }
}

/**
 * Writes `text` to `path` so that the file is never seen half-written: into a temporary file of the same
 * folder first, flushed to disk, then renamed over `path` (a rename is atomic on one file system). A
 * crash leaves either the old file or the new one, and at worst a `.NAME.*.tmp` beside it.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
