import type { AttemptResult, SuiteResult, SuiteStatus, SuitesRun } from '../../suites/index.js';
import type { Output } from '../output.js';
import { formatDuration, style } from '../style.js';
import { table } from './run-report.js';

const SUITE_SYMBOL: Readonly<Record<SuiteStatus, string>> = {
  passed: style.green('✔'),
  flaky: style.yellow('⚠'),
  failed: style.red('✖'),
  timed_out: style.red('⏱'),
  error: style.red('✖'),
  no_report: style.red('?'),
  skipped: style.dim('-'),
  cancelled: style.yellow('■'),
};

/** The line a suite's attempt starts with: `▶ unit (attempt 2, failed tests only): npx vitest run …`. */
export function attemptStartLine(
  suite: string,
  attempt: number,
  argv: readonly string[],
  filtered: boolean,
): string {
  const which = attempt === 1 ? '' : ` (attempt ${attempt}${filtered ? ', failed tests only' : ''})`;
  return `${style.cyan('▶')} ${style.bold(suite)}${which}: ${argv.join(' ')}`;
}

/** The line an attempt ends with. */
export function attemptEndLine(suite: string, result: AttemptResult): string {
  const mark = result.status === 'passed' ? style.green('✔') : style.red('✖');
  const why = result.error === null ? '' : `: ${result.error}`;
  return `${mark} ${style.bold(suite)} attempt ${result.attempt} ${result.status.replace('_', ' ')} in ${formatDuration(result.durationMs)}${why}`;
}

function count(suite: SuiteResult, key: 'passed' | 'failed' | 'skipped' | 'flaky'): string {
  return suite.counts === null ? '—' : String(suite.counts[key]);
}

/** The final table: a row per suite in declared order, then wall time, the sum of suite times and the speed-up. */
export function printSuitesRun(output: Output, run: SuitesRun): void {
  const rows = run.suites.map((suite) => [
    `${SUITE_SYMBOL[suite.status]} ${suite.name}`,
    suite.status.replace('_', ' '),
    count(suite, 'passed'),
    count(suite, 'failed'),
    count(suite, 'skipped'),
    count(suite, 'flaky'),
    String(suite.attempts.length),
    suite.attempts.length === 0 ? '' : formatDuration(suite.durationMs),
    suite.error ?? '',
  ]);
  const [head, ...body] = table([
    ['  SUITE', 'STATUS', 'PASSED', 'FAILED', 'SKIPPED', 'FLAKY', 'ATTEMPTS', 'TIME', 'WHY'],
    ...rows,
  ]);
  output.line();
  output.line(style.bold(head!));
  for (const line of body) output.line(line);
  output.line();
  const { totals } = run;
  output.line(
    `Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped, ${totals.flaky} flaky (${totals.total})`,
  );
  output.line(
    `Time:  ${formatDuration(run.wallMs)} wall · ${formatDuration(run.sumMs)} of suites · ${run.speedup.toFixed(2)}× speed-up (${run.settings.parallel ? `${run.settings.maxWorkers} at once` : 'sequential'})`,
  );
  const flaky = run.history?.flaky ?? [];
  if (flaky.length > 0) {
    output.line(`Flaky over the last ${run.history!.lastRuns} runs:`);
    for (const test of flaky.slice(0, 10)) {
      output.line(
        `  ${Math.round(test.flakeRate * 100)}% (${test.flaky}/${test.runs})  ${test.suite}: ${test.testId}`,
      );
    }
  }
  output.line(`Evidence: ${run.evidenceDir}`);
}
