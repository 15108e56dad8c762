import type { PlanOutput } from '../../plan/index.js';
import type { Output } from '../output.js';
import { style } from '../style.js';
import { ITEM_SYMBOL } from './run-display.js';
import { table } from './run-report.js';

/** At most this many files of one conflict or scope violation are listed; the rest are counted. */
const MAX_FILES_SHOWN = 5;

function files(list: readonly string[]): string {
  const shown = list.slice(0, MAX_FILES_SHOWN).join(', ');
  return list.length > MAX_FILES_SHOWN ? `${shown} and ${list.length - MAX_FILES_SHOWN} more` : shown;
}

/**
 * What a plan did, for people: each leaf with how it ended and what it changed, then the result branch,
 * what could not be applied and why, and how to look at the result.
 */
export function printPlanOutcome(output: Output, plan: PlanOutput, repository: string): void {
  const { result, stats } = plan;
  const applied = new Set(result.applied);
  const conflicted = new Set(result.conflicts.map((one) => one.leaf));
  const rows = plan.leaves.map((leaf) => {
    const merge = applied.has(leaf.id)
      ? 'applied'
      : conflicted.has(leaf.id)
        ? 'conflict'
        : leaf.status === 'succeeded' && leaf.changed_files.length === 0
          ? 'no change'
          : '';
    return [
      `${ITEM_SYMBOL[leaf.status]} ${leaf.id}`,
      leaf.path,
      leaf.status,
      merge,
      `${leaf.changed_files.length} changed`,
      leaf.error ?? '',
    ];
  });
  output.line();
  const [head, ...body] = table([['LEAF', 'PATH', 'JOB', 'MERGE', 'FILES', 'ERROR'], ...rows]);
  output.line(`  ${style.bold(head!)}`);
  for (const line of body) output.line(`  ${line}`);
  output.line();
  const handed = result.reconcile;
  for (const conflict of result.conflicts) {
    const mark = handed?.applied === true ? style.yellow : style.red;
    output.line(
      mark(
        `${handed?.applied === true ? '!' : '✖'} leaf ${conflict.leaf} conflicts with ${conflict.with.join(', ') || 'the result'}`,
      ) +
        ` in ${files(conflict.files)}: ${handed === null ? 'not applied' : 'handed to the reconciling job'}`,
    );
  }
  if (handed !== null) {
    output.line(
      handed.applied
        ? style.green(
            `✔ the reconciling job (${handed.job_id ?? 'no job'}) redid ${handed.leaves.length} leaves: ${handed.changed_files.length} files, one commit`,
          )
        : style.red(
            `✖ the reconciling job (${handed.job_id ?? 'no job'}) did not: ${handed.error ?? handed.status}`,
          ),
    );
  } else if (result.conflicts.length > 0) {
    output.line(style.dim('hand them to an agent with --reconcile, or merge them yourself'));
  }
  for (const one of result.unapplicable) {
    output.line(style.red(`✖ leaf ${one.leaf}: its change does not apply: ${one.error}`));
  }
  for (const violation of plan.scope_violations) {
    output.line(
      style.yellow(`! leaf ${violation.leaf} changed files outside its part: ${files(violation.files)}`),
    );
  }
  if (plan.verify !== null) {
    const verdict = plan.verify.ok
      ? style.green('✔ verify passed on the result')
      : style.red(
          `✖ verify ${plan.verify.timed_out ? 'timed out' : `failed (exit ${plan.verify.exit_code})`} on the result`,
        );
    output.line(verdict);
    if (!plan.verify.ok) for (const line of plan.verify.tail) output.line(style.dim(`    ${line}`));
  }
  const redone = handed?.applied === true ? `, ${handed.leaves.length} redone by the reconciling job` : '';
  output.line(
    `${style.bold(result.branch)}: ${result.applied.length} of ${stats.leaves} leaves applied${redone}` +
      ` (at most ${stats.peak_concurrency} of ${stats.max_parallel} at once)`,
  );
  if (result.head !== plan.base) {
    output.line(
      style.dim(`see it with: git -C ${repository} diff ${plan.base.slice(0, 12)} ${result.branch}`),
    );
  }
}
