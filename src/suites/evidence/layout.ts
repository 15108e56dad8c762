import { assertAttempt, assertSuiteName } from './evidence-error.js';

/** The names of the files and folders of an evidence folder. */
export const LAYOUT = {
  manifest: 'manifest.json',
  ctrf: 'results.ctrf.json',
  junit: 'junit.xml',
  summary: 'summary.md',
  suites: 'suites',
  /** Inside `suites/<name>/`: every line of every attempt. */
  suiteLog: 'stdout.log',
  /** Inside `suites/<name>/attempt-N/`: that attempt's lines. */
  attemptLog: 'output.log',
  /** Inside `suites/<name>/attempt-N/`: the `AttemptResult`. */
  attemptResult: 'attempt.json',
  /** Inside `suites/<name>/attempt-N/`: the suite's `{out}` folder. */
  attemptOut: 'out',
} as const;

/** `suites/<name>` (then `file`, if given), relative to the evidence folder, with `/` separators. */
export function suitePath(suite: string, file?: string): string {
  const dir = `${LAYOUT.suites}/${assertSuiteName(suite)}`;
  return file === undefined ? dir : `${dir}/${file}`;
}

/** `suites/<name>/attempt-N` (then `file`, if given), relative to the evidence folder. */
export function attemptPath(suite: string, attempt: number, file?: string): string {
  const dir = suitePath(suite, `attempt-${assertAttempt(attempt)}`);
  return file === undefined ? dir : `${dir}/${file}`;
}
