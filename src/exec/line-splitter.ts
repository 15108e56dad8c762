const LF = 0x0a;
const CR = 0x0d;
/** The top two bits of a UTF-8 continuation byte (`10xxxxxx`). */
const UTF8_CONTINUATION_MASK = 0xc0;
const UTF8_CONTINUATION_BITS = 0x80;

/**
 * Cuts a byte stream into lines and hands each one, decoded as UTF-8, to a callback.
 *
 * - A line ends at `\n`; a `\r` just before it is dropped, so `\r\n` works too. A lone `\r` (a
 *   progress bar redrawing itself) stays inside the line.
 * - Chunks may end anywhere, even inside a multi-byte character: the splitter works on bytes and
 *   decodes only whole lines. A `\n` byte never occurs inside a UTF-8 sequence, so a line's bytes are
 *   always whole characters (this is what a `StringDecoder` would give, and it keeps the byte limit
 *   below exact).
 * - A line longer than `maxLineBytes` is emitted in pieces of at most `maxLineBytes` bytes, cut
 *   between characters.
 * - `end()` emits a last line that had no `\n`.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #onLine: (line: string) => void;
  /** The bytes of the current, unfinished line, as they arrived. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  /**
   * @param maxLineBytes - the longest line emitted whole, in bytes (an integer ≥ 1).
   * @param onLine - called once per line, synchronously, in order, without the line ending.
   */
  constructor(maxLineBytes: number, onLine: (line: string) => void) {
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
  }

  /** Feeds the next chunk of the stream; emits every line it completes. */
  push(chunk: Uint8Array): void {
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, start)) {
      this.#append(chunk.subarray(start, lf));
      this.#emit(this.#take(), true);
      start = lf + 1;
    }
    if (start < chunk.length) this.#append(chunk.subarray(start));
  }

  /** Ends the stream: emits the last line when it has any bytes. Call it once. */
  end(): void {
    if (this.#pendingBytes > 0) this.#emit(this.#take(), true);
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#pending.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    this.#pendingBytes += bytes.length;
    // A trailing `\r` may be the first half of `\r\n`: it does not count until the next byte shows.
    const last = bytes[bytes.length - 1];
    const countedBytes = this.#pendingBytes - (last === CR ? 1 : 0);
    if (countedBytes > this.#maxLineBytes) this.#emitPieces();
  }

  /** Emits full-size pieces of an over-long line and keeps the rest pending. */
  #emitPieces(): void {
    let line = this.#take();
    for (;;) {
      const counted = line.length - (line[line.length - 1] === CR ? 1 : 0);
      if (counted <= this.#maxLineBytes) break;
      const cut = this.#cutPoint(line);
      // One character longer than the limit is all that is left: it may still end the line.
      if (cut === line.length) break;
      this.#emit(line.subarray(0, cut), false);
      line = line.subarray(cut);
    }
    if (line.length > 0) {
      this.#pending = [line];
      this.#pendingBytes = line.length;
    }
  }

  /**
   * Where to cut an over-long line: at `maxLineBytes`, moved back to the start of the character it
   * falls in. When one character is longer than the limit (a limit under 4 bytes), the cut moves forward
   * past that character instead, so no character is ever broken.
   */
  #cutPoint(line: Buffer): number {
    const isContinuation = (i: number): boolean =>
      ((line[i] ?? 0) & UTF8_CONTINUATION_MASK) === UTF8_CONTINUATION_BITS;
    let cut = this.#maxLineBytes;
    while (cut > 0 && isContinuation(cut)) cut--;
    if (cut > 0) return cut;
    cut = this.#maxLineBytes;
    while (cut < line.length && isContinuation(cut)) cut++;
    return cut;
  }

  #take(): Buffer {
    const bytes = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    return bytes;
  }

  #emit(bytes: Buffer, lineEnded: boolean): void {
    const end = lineEnded && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    this.#onLine(bytes.toString('utf8', 0, end));
  }
}
