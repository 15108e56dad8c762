import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A log file whose lines wait in memory until they are appended in one write: `push` adds a line,
 * `take` hands over everything waiting (in order) and empties the buffer. Whoever takes the text
 * appends it with `append`, through the writer's one queue, so the file keeps the order of `push`.
 */
export class BufferedLog {
  /** The file's absolute path. */
  readonly path: string;
  #chunks: string[] = [];
  #chars = 0;
  #folderMade = false;

  constructor(path: string) {
    this.path = path;
  }

  /** How many characters wait. */
  get pending(): number {
    return this.#chars;
  }

  /** Adds `line` and a line feed. */
  push(line: string): void {
    this.#chunks.push(line, '\n');
    this.#chars += line.length + 1;
  }

  /** Everything waiting, in order, or `''`; the buffer is empty afterwards. */
  take(): string {
    const text = this.#chunks.join('');
    this.#chunks = [];
    this.#chars = 0;
    return text;
  }

  /** Appends `text` to the file, making its folder first if need be; `''` creates an empty file. */
  async append(text: string): Promise<void> {
    if (!this.#folderMade) {
      await mkdir(dirname(this.path), { recursive: true });
      this.#folderMade = true;
    }
    await appendFile(this.path, text, 'utf8');
  }
}
