import type { SuiteResult, TestResult } from '../types.js';
import { attemptPath, LAYOUT, suitePath } from './layout.js';
import { countTests, runTimes, type EvidenceHistory, type EvidenceRun } from './manifest.js';
import { codeBlock, escapeMarkdown, humanDuration, inlineCode, table } from './markdown.js';
import { displayName, testRunsOf, truncate, type TestRun } from './test-runs.js';

/** How many failed (and how many flaky) tests the summary lists; the rest are in the reports. */
export const MAX_LISTED_TESTS = 50;
/** How much of a message the summary shows. */
const MAX_MESSAGE_LINES = 30;
const MAX_MESSAGE_CHARS = 3_000;

function shortMessage(message: string): string {
  const lines = message.split(/\r?\n/);
  const kept = lines.slice(0, MAX_MESSAGE_LINES).join('\n');
  return truncate(lines.length > MAX_MESSAGE_LINES ? `${kept}\n…` : kept, MAX_MESSAGE_CHARS);
}

function link(text: string, path: string): string {
  return `[${escapeMarkdown(text)}](${path})`;
}

function logLinks(suite: SuiteResult, hasLog: boolean): string {
  if (!hasLog) return '—';
  const attempts = suite.attempts.map((a) =>
    link(String(a.attempt), attemptPath(suite.name, a.attempt, LAYOUT.attemptLog)),
  );
  return [link('all', suitePath(suite.name, LAYOUT.suiteLog)), ...attempts].join(' · ');
}

function suiteTable(run: EvidenceRun, hasLog: (suite: string) => boolean): string {
  const rows = run.suites.map((suite) => {
    const counts = countTests([suite]);
    const status = suite.status === 'passed' ? 'passed' : `**${suite.status}**`;
    const known = suite.counts !== null || suite.tests.length > 0;
    const cell = (n: number): string => (known ? String(n) : '—');
    return [
      escapeMarkdown(suite.name),
      status,
      cell(counts.passed),
      cell(counts.failed),
      cell(counts.skipped),
      cell(counts.flaky),
      String(suite.attempts.length),
      humanDuration(suite.durationMs),
      logLinks(suite, hasLog(suite.name)),
    ];
  });
  return table(
    ['suite', 'status', 'passed', 'failed', 'skipped', 'flaky', 'attempts', 'time', 'logs'],
    'llrrrrrrl',
    rows,
  );
}

function attemptsSaying(runs: readonly TestRun[], outcome: TestRun['outcome']): string {
  return runs
    .filter((run) => run.outcome === outcome)
    .map((run) => run.attempt)
    .join(', ');
}

function testSection(suite: SuiteResult, test: TestResult, runs: readonly TestRun[]): string {
  const failedRuns = runs.filter((run) => run.outcome === 'failed');
  // The log to read is the one of the run that failed last (the last run, for a test that never passed).
  const logRun = failedRuns.at(-1) ?? runs.at(-1);
  const failedIn = attemptsSaying(runs, 'failed');
  const facts = [`failed in attempt${failedIn.includes(',') ? 's' : ''} ${failedIn || '?'}`];
  if (test.status === 'flaky') facts.push(`passed in attempt ${attemptsSaying(runs, 'passed') || '?'}`);
  if (logRun !== undefined)
    facts.push(link('log', attemptPath(suite.name, logRun.attempt, LAYOUT.attemptLog)));
  // A flaky test's message is its failure's, from the run that failed last.
  const failure = failedRuns.findLast((run) => run.message !== undefined)?.message;
  const message = test.status === 'flaky' ? failure : (test.message ?? failure);
  const head = `- ${inlineCode(suite.name)} ${inlineCode(displayName(test))} — ${facts.join(' · ')}`;
  return message === undefined ? head : `${head}\n\n${indent(codeBlock(shortMessage(message)))}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}

function testList(run: EvidenceRun, status: 'failed' | 'flaky', title: string): string[] {
  const items: string[] = [];
  let total = 0;
  for (const suite of run.suites) {
    const runsOf = testRunsOf(suite);
    for (const test of suite.tests) {
      if (test.status !== status) continue;
      total += 1;
      if (items.length < MAX_LISTED_TESTS) items.push(testSection(suite, test, runsOf(test)));
    }
  }
  if (total === 0) return [];
  const more =
    total > items.length
      ? [`… and ${total - items.length} more: see ${link(LAYOUT.ctrf, LAYOUT.ctrf)}.`]
      : [];
  return [`## ${title} (${total})`, items.join('\n\n'), ...more];
}

function problems(run: EvidenceRun, hasLog: (suite: string) => boolean): string[] {
  const lines = run.suites
    .filter((suite) => suite.status !== 'passed' && suite.status !== 'flaky')
    .map((suite) => {
      const why = suite.error === null ? '' : `: ${escapeMarkdown(truncate(suite.error, 500))}`;
      const log = hasLog(suite.name) ? ` · ${link('log', suitePath(suite.name, LAYOUT.suiteLog))}` : '';
      return `- ${inlineCode(suite.name)} **${suite.status}**${why}${log}`;
    });
  return lines.length === 0 ? [] : ['## Suites that did not pass', lines.join('\n')];
}

function historySection(history: EvidenceHistory | undefined): string[] {
  if (history === undefined || (history.flaky.length === 0 && history.slowest.length === 0)) return [];
  const out = ['## History'];
  if (history.flaky.length > 0) {
    out.push(
      '### Flakiest tests over recent runs',
      table(
        ['suite', 'test', 'flake rate', 'runs'],
        'llrr',
        history.flaky.map((t) => [
          inlineCode(t.suite, true),
          inlineCode(t.testId, true),
          `${(t.flakeRate * 100).toFixed(0)} %`,
          String(t.runs),
        ]),
      ),
    );
  }
  if (history.slowest.length > 0) {
    out.push(
      '### Slowest tests (median over recent runs)',
      table(
        ['suite', 'test', 'median', 'runs'],
        'llrr',
        history.slowest.map((t) => [
          inlineCode(t.suite, true),
          inlineCode(t.testId, true),
          humanDuration(t.medianMs),
          String(t.runs),
        ]),
      ),
    );
  }
  return out;
}

/**
 * `summary.md`: the run for people (and CI step summaries). A table of the suites (status, tests by
 * status, attempts, time, links to their logs), the wall time against the suites' summed time, the suites
 * that did not pass, the failed and the flaky tests with their messages (cut to 30 lines, at most 50
 * tests each) and what the history says. Every link is a path relative to the evidence folder.
 */
export function toSummaryMarkdown(run: EvidenceRun, hasLog: (suite: string) => boolean): string {
  const { wallMs, sumMs, speedup } = runTimes(run);
  const tests = countTests(run.suites);
  const verdict = run.exitCode === 0 ? 'passed' : 'failed';
  const sections = [
    `# Flotilla suites: ${verdict} (exit code ${run.exitCode})`,
    [
      `- Run: ${inlineCode(run.id)}, from ${run.startedAt} to ${run.finishedAt}`,
      `- Wall time: ${humanDuration(wallMs)}; sum of suite times: ${humanDuration(sumMs)}; speed-up: ${
        speedup === null ? '—' : `${speedup.toFixed(2)}×`
      }`,
      `- Tests: ${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped, ${tests.flaky} flaky ` +
        `(${tests.total} in all)`,
    ].join('\n'),
    '## Suites',
    suiteTable(run, hasLog),
    ...problems(run, hasLog),
    ...testList(run, 'failed', 'Failed tests'),
    ...testList(run, 'flaky', 'Flaky tests'),
    ...historySection(run.history),
    `Files: ${[LAYOUT.manifest, LAYOUT.ctrf, LAYOUT.junit].map((file) => link(file, file)).join(' · ')}`,
  ];
  return `${sections.join('\n\n')}\n`;
}
