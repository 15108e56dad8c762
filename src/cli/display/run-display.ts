import type { FlotillaEvent, ItemStatus } from '../../events/index.js';
import type { Output } from '../output.js';
import { formatDuration, style } from '../style.js';
import { LiveRegion, runningLine, type Frame } from './live-region.js';

/** The most running items listed in the live region; the rest are counted. */
const MAX_RUNNING_LINES = 12;

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
  readonly #region: LiveRegion;
  /** Events count only between `start` and `stop` (not those of an approval recorded before). */
  #started = false;
  #labelOf: (itemId: string) => string | undefined = () => undefined;

  constructor(output: Output) {
    this.#output = output;
    this.#region = new LiveRegion(output, (frame) => this.#draw(frame));
  }

  /**
   * Names items by something people know instead of their ids (a plan's leaf by its folder): `labelOf`
   * gives the name, or `undefined` for the id.
   */
  setLabels(labelOf: (itemId: string) => string | undefined): void {
    this.#labelOf = labelOf;
  }

  start(): void {
    this.#started = true;
    this.#region.start();
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
    this.#region.print(
      `${ITEM_SYMBOL[event.status]} ${item.id} ${event.status.padEnd(9)} ${took.padStart(6)}${detail}`,
    );
  }

  /**
   * Runs `task` (a question on the terminal) with the live region cleared and not redrawn, so that the
   * two do not write over each other.
   */
  aside<T>(task: () => Promise<T>): Promise<T> {
    return this.#region.aside(task);
  }

  /** Stops redrawing and leaves the final counts on screen. */
  stop(): void {
    this.#started = false;
    this.#region.stop();
  }

  #item(itemId: string): ItemLine {
    let item = this.#items.get(itemId);
    if (item === undefined) {
      item = { id: this.#labelOf(itemId) ?? itemId, status: 'running', startedAt: undefined, lastLine: '' };
      this.#items.set(itemId, item);
    }
    return item;
  }

  #draw(frame: Frame): string[] {
    const counts = { running: 0, pending: 0, succeeded: 0, failed: 0 };
    const lines: string[] = [];
    const now = Date.now();
    for (const item of this.#items.values()) {
      if (item.status === 'running') counts.running++;
      else if (item.status === 'pending') counts.pending++;
      else if (item.status === 'succeeded' || item.status === 'skipped') counts.succeeded++;
      else counts.failed++;
      if (item.status !== 'running' || frame.final || lines.length >= MAX_RUNNING_LINES) continue;
      lines.push(runningLine(frame, item.id, item.startedAt ?? now, now, item.lastLine));
    }
    if (!frame.final && counts.running > lines.length) {
      lines.push(style.dim(`  … and ${counts.running - lines.length} more running`));
    }
    lines.push(
      style.bold(
        `${counts.running} running · ${counts.pending} pending · ${counts.succeeded} succeeded · ${counts.failed} failed`,
      ),
    );
    return lines;
  }
}
