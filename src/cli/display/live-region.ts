import type { Output } from '../output.js';
import { formatDuration, style } from '../style.js';

/** How often the live region is redrawn. */
const FRAME_INTERVAL_MS = 100;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** What a live region's `draw` is given for one frame. */
export interface Frame {
  /** This frame's spinner character. */
  readonly spinner: string;
  /** The columns a line may use. */
  readonly width: number;
  /** The last frame, left on screen once the display stops: running lines are no longer shown. */
  readonly final: boolean;
}

/**
 * The bottom of a terminal redrawn in place (running work, counts) with lines that stay printed above it.
 * On a TTY it redraws every 100 ms what `draw` returns; elsewhere (a pipe, CI, `--json`) it never draws,
 * and `print` writes plain lines, so a log gets one line per event.
 */
export class LiveRegion {
  readonly #output: Output;
  readonly #draw: (frame: Frame) => readonly string[];
  #timer: NodeJS.Timeout | undefined;
  #lines = 0;
  #frame = 0;
  /** Lines printed while the region stepped aside, written once it is back. */
  #held: string[] | undefined;

  constructor(output: Output, draw: (frame: Frame) => readonly string[]) {
    this.#output = output;
    this.#draw = draw;
  }

  /** Starts redrawing (on a TTY only). */
  start(): void {
    if (this.#output.live && this.#timer === undefined) {
      this.#timer = setInterval(() => this.#render(false), FRAME_INTERVAL_MS);
    }
  }

  /** Stops redrawing and leaves the final frame on screen (on a TTY). */
  stop(): void {
    if (this.#timer === undefined) return;
    this.#halt();
    this.#render(true);
  }

  /** Prints a line that stays: above the region on a TTY, a plain line elsewhere. */
  print(text: string): void {
    if (this.#held !== undefined) return void this.#held.push(text);
    if (this.#timer === undefined) return this.#output.line(text);
    this.#clear();
    this.#output.stdout.write(`${text}\n`);
    this.#render(false);
  }

  /**
   * Runs `task` (a question on the terminal) with the region cleared and not redrawn, so that the two do
   * not write over each other; lines printed meanwhile follow once it is done.
   */
  async aside<T>(task: () => Promise<T>): Promise<T> {
    const wasLive = this.#timer !== undefined;
    this.#halt();
    this.#held = [];
    try {
      return await task();
    } finally {
      const held = this.#held;
      this.#held = undefined;
      for (const line of held) this.#output.line(line);
      if (wasLive) this.start();
    }
  }

  #halt(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
  }

  #clear(): void {
    if (this.#lines > 0) this.#output.stdout.write(`\x1b[${this.#lines}A\x1b[J`);
    this.#lines = 0;
  }

  #render(final: boolean): void {
    this.#clear();
    const width = Math.max(40, (this.#output.stdout.columns ?? 100) - 1);
    const spinner = SPINNER[this.#frame++ % SPINNER.length]!;
    const lines = this.#draw({ spinner, width, final });
    if (lines.length === 0) return;
    this.#output.stdout.write(`${lines.join('\n')}\n`);
    this.#lines = lines.length;
  }
}

/**
 * The line of one running thing: spinner, id, time since `startedMs` (same clock as `nowMs`), then as
 * much of `text` (its last output line) as fits in the frame's width. Only the plain text is cut, never
 * the escape sequences around it.
 */
export function runningLine(
  frame: Frame,
  id: string,
  startedMs: number,
  nowMs: number,
  text: string,
): string {
  const elapsed = formatDuration(nowMs - startedMs).padStart(6);
  const head = `${frame.spinner} ${id} ${elapsed}  `;
  const tail = text.slice(0, Math.max(0, frame.width - head.length));
  return `${style.cyan(frame.spinner)} ${id} ${elapsed}  ${style.dim(tail)}`;
}
