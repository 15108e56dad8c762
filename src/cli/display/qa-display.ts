import type { FlotillaEvent, QaProgress } from '../../events/index.js';
import { SEVERITIES } from '../../qa/index.js';
import type { Output } from '../output.js';
import { style } from '../style.js';
import { LiveRegion, runningLine, type Frame } from './live-region.js';

interface WorkerLine {
  readonly url: string;
  readonly startedAt: number;
}

/**
 * Shows a QA crawl as it goes, from its `qa.visit` and `qa.page` events (never from printed text). On a
 * TTY: a line per page tested above a live region of each worker's current URL and the counts (pages
 * tested, queued, not tested, findings by severity), redrawn in place. Elsewhere: one line per page.
 */
export class QaDisplay {
  readonly #output: Output;
  readonly #runId: string;
  readonly #region: LiveRegion;
  readonly #workers = new Map<number, WorkerLine>();
  #progress: QaProgress | undefined;

  constructor(output: Output, runId: string) {
    this.#output = output;
    this.#runId = runId;
    this.#region = new LiveRegion(output, (frame) => this.#draw(frame));
  }

  start(): void {
    this.#region.start();
  }

  handle(event: FlotillaEvent): void {
    if (this.#output.json) return;
    if (event.type === 'qa.visit' && event.runId === this.#runId) {
      this.#workers.set(event.worker, { url: event.url, startedAt: Date.parse(event.at) });
      this.#progress = event.progress;
      return;
    }
    if (event.type !== 'qa.page' || event.runId !== this.#runId) return;
    this.#workers.delete(event.worker);
    this.#progress = event.progress;
    const worker = style.dim(`w${event.worker}`);
    if (!event.tested) {
      this.#region.print(`${style.dim('-')} ${worker} ${event.url}  ${style.dim(event.reason ?? '')}`);
      return;
    }
    const mark = event.findings === 0 ? style.green('✔') : style.red('✖');
    const status = event.status === null ? 'no response' : String(event.status);
    const found =
      event.findings === 0
        ? ''
        : `  ${event.findings} finding${event.findings === 1 ? '' : 's'}, worst ${event.worst ?? 'info'}`;
    this.#region.print(`${mark} ${worker} ${status} ${event.url}${found}`);
  }

  /** Stops redrawing and leaves the final counts on screen. */
  stop(): void {
    this.#region.stop();
  }

  #draw(frame: Frame): string[] {
    const now = Date.now();
    const lines: string[] = [];
    if (!frame.final) {
      for (const [index, line] of [...this.#workers].sort((a, b) => a[0] - b[0])) {
        lines.push(runningLine(frame, `w${index}`, line.startedAt, now, line.url));
      }
    }
    const progress = this.#progress;
    if (progress === undefined) return lines;
    const findings = SEVERITIES.filter((severity) => (progress.findingsBySeverity[severity] ?? 0) > 0)
      .map((severity) => `${progress.findingsBySeverity[severity]} ${severity}`)
      .join(' · ');
    lines.push(
      style.bold(
        `${progress.pagesTested} tested · ${progress.queued} queued · ${progress.pagesNotTested} not tested · ` +
          (findings === '' ? 'no findings' : findings),
      ),
    );
    return lines;
  }
}
