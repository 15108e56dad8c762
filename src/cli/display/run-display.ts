import type { FlotillaEvent, ItemStatus } from '../../events/index.js';
import type { Output } from '../output.js';
import { formatDuration, style } from '../style.js';

/** How often the live region is redrawn. */
const FRAME_INTERVAL_MS = 100;
/** The most running items listed in the live region; the rest are counted. */
const MAX_RUNNING_LINES = 12;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface ItemLine {
  readonly id: string;
  status: ItemStatus;
  /** When its current attempt started (epoch ms, from the event's time). */
  startedAt: number | undefined;
  lastLine: string;
}

/** The mark of an item status, for live lines and the summary table. */
export const ITEM_SYMBOL: Readonly<Record<ItemStatus, string>> = {
  pending: style.yellow('⏸'),
  running: style.cyan('…'),
  succeeded: style.green('✔'),
  failed: style.red('✖'),
  timed_out: style.red('⏱'),
  cancelled: style.yellow('■'),
  skipped: style.dim('-'),
};

/**
 * Shows a workflow run as it goes, from its `item.status` and `item.log` events. On a TTY: a line per
 * finished item above a live region of the running ones (elapsed time, last output line) and a counts
 * line, redrawn in place. Elsewhere: one plain line per item start and finish — what a CI log wants.
 */
export class RunDisplay {
  readonly #output: Output;
  readonly #items = new Map<string, ItemLine>();
  #timer: NodeJS.Timeout | undefined;
  #regionLines = 0;
  #frame = 0;
  /** Lines that came while a question was on the terminal, printed once it is answered. */
  #held: string[] | undefined;
  /** Events count only between `start` and `stop` (not those of an approval recorded before). */
  #started = false;

  constructor(output: Output) {
    this.#output = output;
  }

  start(): void {
    this.#started = true;
    if (this.#output.live) this.#timer = setInterval(() => this.#render(), FRAME_INTERVAL_MS);
  }

  handle(event: FlotillaEvent): void {
    if (this.#output.json || !this.#started) return;
    if (event.type === 'item.log') {
      const line = event.line.trim();
      if (line !== '') this.#item(event.itemId).lastLine = line;
      return;
    }
    if (event.type !== 'item.status') return;
    const item = this.#item(event.itemId);
    item.status = event.status;
    const at = Date.parse(event.at);
    if (event.status === 'running') {
      item.startedAt = at;
      item.lastLine = '';
      const attempt = event.attempt !== undefined && event.attempt > 1 ? ` (attempt ${event.attempt})` : '';
      if (!this.#output.live) this.#output.line(`${style.dim('→')} ${item.id} started${attempt}`);
      return;
    }
    const took = item.startedAt === undefined ? '' : formatDuration(at - item.startedAt);
    const detail =
      event.status === 'pending'
        ? '  waiting for approval'
        : event.error === undefined
          ? ''
          : `  ${style.red(event.error)}`;
    this.#permanent(
      `${ITEM_SYMBOL[event.status]} ${item.id} ${event.status.padEnd(9)} ${took.padStart(6)}${detail}`,
    );
  }

  /**
   * Runs `task` (a question on the terminal) with the live region cleared and not redrawn, so that the
   * two do not write over each other.
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
      if (wasLive) this.#timer = setInterval(() => this.#render(), FRAME_INTERVAL_MS);
    }
  }

  /** Stops redrawing and leaves the final counts on screen. */
  stop(): void {
    const wasLive = this.#timer !== undefined;
    this.#started = false;
    this.#halt();
    if (wasLive) this.#render(false);
  }

  #halt(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clearRegion();
  }

  #item(itemId: string): ItemLine {
    let item = this.#items.get(itemId);
    if (item === undefined) {
      item = { id: itemId, status: 'running', startedAt: undefined, lastLine: '' };
      this.#items.set(itemId, item);
    }
    return item;
  }

  /** A line that stays: above the live region on a TTY, a plain line elsewhere. */
  #permanent(text: string): void {
    if (this.#held !== undefined) return void this.#held.push(text);
    if (this.#timer === undefined) return this.#output.line(text);
    this.#clearRegion();
    this.#output.stdout.write(`${text}\n`);
    this.#render();
  }

  #clearRegion(): void {
    if (this.#regionLines > 0) this.#output.stdout.write(`\x1b[${this.#regionLines}A\x1b[J`);
    this.#regionLines = 0;
  }

  #render(showRunning = true): void {
    this.#clearRegion();
    const width = Math.max(40, (this.#output.stdout.columns ?? 100) - 1);
    const counts = { running: 0, pending: 0, succeeded: 0, failed: 0 };
    const lines: string[] = [];
    const spinner = SPINNER[this.#frame++ % SPINNER.length]!;
    const now = Date.now();
    for (const item of this.#items.values()) {
      if (item.status === 'running') counts.running++;
      else if (item.status === 'pending') counts.pending++;
      else if (item.status === 'succeeded' || item.status === 'skipped') counts.succeeded++;
      else counts.failed++;
      if (item.status !== 'running' || !showRunning || lines.length >= MAX_RUNNING_LINES) continue;
      const elapsed = formatDuration(now - (item.startedAt ?? now)).padStart(6);
      const head = `${spinner} ${item.id} ${elapsed}  `;
      // Cut the plain text, never the escape sequences around it.
      const tail = item.lastLine.slice(0, Math.max(0, width - head.length));
      lines.push(`${style.cyan(spinner)} ${item.id} ${elapsed}  ${style.dim(tail)}`);
    }
    if (showRunning && counts.running > lines.length) {
      lines.push(style.dim(`  … and ${counts.running - lines.length} more running`));
    }
    lines.push(
      style.bold(
        `${counts.running} running · ${counts.pending} pending · ${counts.succeeded} succeeded · ${counts.failed} failed`,
      ),
    );
    this.#output.stdout.write(`${lines.join('\n')}\n`);
    this.#regionLines = lines.length;
  }
}
