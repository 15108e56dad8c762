import type { FlotillaEvent, JobStatus } from '../../events/index.js';
import type { Output } from '../output.js';
import { formatDuration, style } from '../style.js';

/** How often the live region is redrawn. */
const FRAME_INTERVAL_MS = 100;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface JobView {
  readonly id: string;
  label: string;
  status: JobStatus;
  startedAt: number | undefined;
  lastLine: string;
}

const SYMBOL: Partial<Record<JobStatus, string>> = {
  succeeded: style.green('✔'),
  failed: style.red('✖'),
  timed_out: style.red('⏱'),
  cancelled: style.yellow('■'),
  interrupted: style.yellow('■'),
};

/**
 * Shows jobs as they run. On a TTY: one line per running job (elapsed time, last output line) under
 * the finished ones, plus a counts line, redrawn in place. Elsewhere: one plain line per start and
 * finish, nothing redrawn — what a CI log wants.
 */
export class JobDisplay {
  readonly #output: Output;
  readonly #jobs = new Map<string, JobView>();
  #timer: NodeJS.Timeout | undefined;
  #regionLines = 0;
  #frame = 0;

  constructor(output: Output) {
    this.#output = output;
  }

  start(): void {
    if (this.#output.live) this.#timer = setInterval(() => this.#render(), FRAME_INTERVAL_MS);
  }

  /** Gives a job the label shown for it (its prompt, say). */
  describe(jobId: string, label: string): void {
    this.#view(jobId).label = label;
  }

  handle(event: FlotillaEvent): void {
    if (event.type === 'job.log') {
      if (event.line.trim() !== '') this.#view(event.jobId).lastLine = event.line.trim();
      return;
    }
    if (event.type !== 'job.status' && event.type !== 'job.result') return;
    const job = this.#view(event.jobId);
    job.status = event.status;
    if (event.type === 'job.status' && event.status === 'running') {
      job.startedAt = performance.now();
      if (!this.#output.live) this.#output.line(`${style.dim('→')} ${job.id} started  ${job.label}`);
    }
    if (event.type === 'job.result') this.#finished(job, event.durationMs, event.error);
  }

  /** Stops redrawing and leaves the final state on screen. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#output.live) this.#render(false);
  }

  #view(jobId: string): JobView {
    let job = this.#jobs.get(jobId);
    if (job === undefined) {
      job = { id: jobId, label: '', status: 'queued', startedAt: undefined, lastLine: '' };
      this.#jobs.set(jobId, job);
    }
    return job;
  }

  #finished(job: JobView, durationMs: number, error: string | undefined): void {
    const detail = error === undefined ? '' : `  ${style.red(error)}`;
    const text = `${SYMBOL[job.status] ?? '?'} ${job.id} ${job.status.padEnd(9)} ${formatDuration(durationMs).padStart(6)}  ${job.label}${detail}`;
    if (this.#output.live) this.#printAbove(text);
    else this.#output.line(text);
  }

  /** Prints a permanent line above the live region. */
  #printAbove(text: string): void {
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
    const counts = { queued: 0, running: 0, done: 0, failed: 0 };
    const lines: string[] = [];
    const spinner = SPINNER[this.#frame++ % SPINNER.length]!;
    for (const job of this.#jobs.values()) {
      if (job.status === 'queued') counts.queued++;
      else if (job.status === 'running') counts.running++;
      else if (job.status === 'succeeded') counts.done++;
      else counts.failed++;
      if (job.status !== 'running' || !showRunning) continue;
      const elapsed = formatDuration(performance.now() - (job.startedAt ?? performance.now()));
      const head = `${spinner} ${job.id} ${elapsed.padStart(6)}  `;
      // Cut the plain text, never the escape sequences around it.
      const tail = (job.lastLine || job.label).slice(0, Math.max(0, width - head.length));
      lines.push(`${style.cyan(spinner)} ${job.id} ${elapsed.padStart(6)}  ${style.dim(tail)}`);
    }
    lines.push(
      style.bold(
        `${counts.running} running · ${counts.queued} queued · ${counts.done} succeeded · ${counts.failed} failed`,
      ),
    );
    this.#output.stdout.write(`${lines.join('\n')}\n`);
    this.#regionLines = lines.length;
  }
}
