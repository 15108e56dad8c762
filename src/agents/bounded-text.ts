/** The most of an agent's standard output kept as its `output` (1 MiB); older lines are dropped first. */
export const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Keeps the last lines pushed into it whose UTF-8 size (line endings included) fits in `maxBytes`, and
 * joins them back into text. A single line larger than the bound keeps its end.
 */
export class BoundedText {
  readonly #maxBytes: number;
  readonly #lines: { text: string; bytes: number }[] = [];
  /** Index of the oldest kept line: dropping moves it instead of shifting the array. */
  #head = 0;
  #bytes = 0;

  constructor(maxBytes = MAX_OUTPUT_BYTES) {
    this.#maxBytes = maxBytes;
  }

  push(line: string): void {
    const bytes = Buffer.byteLength(line) + 1;
    this.#lines.push({ text: line, bytes });
    this.#bytes += bytes;
    while (this.#bytes > this.#maxBytes && this.#lines.length - this.#head > 1) {
      this.#bytes -= this.#lines[this.#head]!.bytes;
      this.#head += 1;
    }
    // Compact now and then so dropped lines do not pile up.
    if (this.#head > 1024 && this.#head * 2 > this.#lines.length) {
      this.#lines.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** The kept lines joined with `\n`. */
  toString(): string {
    const text = this.#lines
      .slice(this.#head)
      .map((line) => line.text)
      .join('\n');
    if (this.#bytes <= this.#maxBytes) return text;
    // One line larger than the bound: keep its last bytes (a split character at the cut becomes U+FFFD).
    const buffer = Buffer.from(text);
    return buffer.subarray(buffer.length - this.#maxBytes).toString();
  }
}
