import type { Writable } from 'node:stream';

/**
 * Where a command writes. In `--json` mode stdout carries exactly one JSON document and everything
 * meant for people goes nowhere (errors go to stderr as well as into the document).
 */
export class Output {
  constructor(
    readonly json: boolean,
    readonly stdout: Writable & { isTTY?: boolean; columns?: number } = process.stdout,
    readonly stderr: Writable = process.stderr,
  ) {}

  /** Whether a live display may redraw lines (a TTY, not JSON mode, not CI). */
  get live(): boolean {
    return !this.json && this.stdout.isTTY === true && process.env.CI === undefined;
  }

  /** A line for people on stdout; silent in JSON mode. */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** The one JSON document of a `--json` command. */
  document(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A message about a problem, always on stderr. */
  error(text: string): void {
    this.stderr.write(`${text}\n`);
  }
}
