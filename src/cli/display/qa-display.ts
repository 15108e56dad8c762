import type { FlotillaEvent, QaProgress } from '../../events/index.js';
import { SEVERITIES } from '../../qa/index.js';
import type { Output } from '../output.js';
import { style } from '../style.js';
import { LiveRegion, runningLine, type Frame } from './live-region.js';

interface WorkerLine {
  readonly url: string;
  readonly startedAt: number;
}

/** What the display knows of one run. */
interface RunLine {
  readonly label: string;
  readonly workers: Map<number, WorkerLine>;
  progress: QaProgress | undefined;
}

/**
 * Shows a QA crawl as it goes, from its `qa.visit` and `qa.page` events (never from printed text). On a
 * TTY: a line per page tested above a live region of each worker's current URL and the counts (pages
 * tested, queued, not tested, findings by severity), redrawn in place. Elsewhere: one line per page.
 * A batch shows each of its runs, its lines marked with the run's label (`[2]`).
 */
export class QaDisplay {
  readonly #output: Output;
  readonly #runs = new Map<string, RunLine>();
  readonly #region: LiveRegion;

  constructor(output: Output) {
    this.#output = output;
    this.#region = new LiveRegion(output, (frame) => this.#draw(frame));
  }

  /** Shows run `runId` from now on, its lines marked with `label` (none for a single run). */
  follow(runId: string, label = ''): void {
    this.#runs.set(runId, { label, workers: new Map(), progress: undefined });
  }

  start(): void {
    this.#region.start();
  }

  handle(event: FlotillaEvent): void {
    if (this.#output.json || (event.type !== 'qa.visit' && event.type !== 'qa.page')) return;
    const run = this.#runs.get(event.runId);
    if (run === undefined) return;
    run.progress = event.progress;
    if (event.type === 'qa.visit') {
      run.workers.set(event.worker, { url: event.url, startedAt: Date.parse(event.at) });
      return;
    }
    run.workers.delete(event.worker);
    const worker = style.dim(`${run.label === '' ? '' : `${run.label} `}w${event.worker}`);
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

  /** Prints a line that stays (above the live region on a TTY). */
  print(text: string): void {
    if (!this.#output.json) this.#region.print(text);
  }

  /** Stops redrawing and leaves the final counts on screen. */
  stop(): void {
    this.#region.stop();
  }

  #draw(frame: Frame): string[] {
    const now = Date.now();
    const lines: string[] = [];
    for (const run of this.#runs.values()) {
      const prefix = run.label === '' ? '' : `${run.label} `;
      if (!frame.final) {
        for (const [index, line] of [...run.workers].sort((a, b) => a[0] - b[0])) {
          lines.push(runningLine(frame, `${prefix}w${index}`, line.startedAt, now, line.url));
        }
      }
      if (run.progress !== undefined) lines.push(style.bold(prefix + progressLine(run.progress)));
    }
    return lines;
  }
}

/** `12 tested · 30 queued · 4 not tested · 1 critical · 2 high` */
function progressLine(progress: QaProgress): string {
  const findings = SEVERITIES.filter((severity) => (progress.findingsBySeverity[severity] ?? 0) > 0)
    .map((severity) => `${progress.findingsBySeverity[severity]} ${severity}`)
    .join(' · ');
  return (
    `${progress.pagesTested} tested · ${progress.queued} queued · ${progress.pagesNotTested} not tested · ` +
    (findings === '' ? 'no findings' : findings)
  );
}
