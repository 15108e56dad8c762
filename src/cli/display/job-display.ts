import type { FlotillaEvent, JobStatus } from '../../events/index.js';
import type { Output } from '../output.js';
import { formatDuration, style } from '../style.js';
import { LiveRegion, runningLine, type Frame } from './live-region.js';

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
  stalled: style.red('∅'),
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
  readonly #region: LiveRegion;

  constructor(output: Output) {
    this.#output = output;
    this.#region = new LiveRegion(output, (frame) => this.#draw(frame));
  }

  start(): void {
    this.#region.start();
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
    this.#region.stop();
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
    this.#region.print(
      `${SYMBOL[job.status] ?? '?'} ${job.id} ${job.status.padEnd(9)} ${formatDuration(durationMs).padStart(6)}  ${job.label}${detail}`,
    );
  }

  #draw(frame: Frame): string[] {
    const counts = { queued: 0, running: 0, done: 0, failed: 0 };
    const lines: string[] = [];
    const now = performance.now();
    for (const job of this.#jobs.values()) {
      if (job.status === 'queued') counts.queued++;
      else if (job.status === 'running') counts.running++;
      else if (job.status === 'succeeded') counts.done++;
      else counts.failed++;
      if (job.status === 'running' && !frame.final) {
        lines.push(runningLine(frame, job.id, job.startedAt ?? now, now, job.lastLine || job.label));
      }
    }
    lines.push(
      style.bold(
        `${counts.running} running · ${counts.queued} queued · ${counts.done} succeeded · ${counts.failed} failed`,
      ),
    );
    return lines;
  }
}
