import type { RunStatus } from '../../events/index.js';
import type { RunSummary, RunView } from '../../workflow/index.js';
import type { Output } from '../output.js';
import { formatDuration, style } from '../style.js';
import { ITEM_SYMBOL } from './run-display.js';

const RUN_SYMBOL: Readonly<Record<RunStatus, string>> = {
  running: style.cyan('…'),
  paused: style.yellow('⏸'),
  succeeded: style.green('✔'),
  failed: style.red('✖'),
  cancelled: style.yellow('■'),
  interrupted: style.yellow('■'),
};

/** `12.3s` between two ISO times, or '' when either is missing. */
function span(from: string | null, to: string | null): string {
  if (from === null || to === null) return '';
  return formatDuration(Date.parse(to) - Date.parse(from));
}

/** A table of rows, each column padded to its widest cell (the last one is not padded). */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The steps of a run: id, status, attempts, duration, error. */
export function printSteps(output: Output, view: RunView): void {
  const rows = Object.entries(view.steps).map(([id, step]) => [
    id,
    step.status,
    String(step.attempts),
    span(step.started_at, step.finished_at),
    step.error ?? '',
  ]);
  if (rows.length === 0) return output.line(style.dim('  no step has run'));
  const [head, ...body] = table([['STEP', 'STATUS', 'ATTEMPTS', 'TIME', 'ERROR'], ...rows]);
  output.line(`  ${style.bold(head!)}`);
  for (const line of body) output.line(`  ${line}`);
}

/** How many items (fan-out items included) are in each status: `5 items: 4 succeeded, 1 failed`. */
function itemCounts(view: RunView): string {
  const { total, ...counts } = view.items;
  const parts = Object.entries(counts).map(([status, count]) => `${count} ${status}`);
  return `${total} item${total === 1 ? '' : 's'}${parts.length === 0 ? '' : `: ${parts.join(', ')}`}`;
}

/** One run in full (`flotilla runs show`). */
export function printRun(output: Output, view: RunView): void {
  const workflow = view.workflow === null ? '' : `  workflow ${view.workflow.id}`;
  output.line(`${RUN_SYMBOL[view.status]} ${view.id} ${style.bold(view.status)}${workflow}`);
  if (view.workflow?.file != null) output.line(`  file     ${view.workflow.file}`);
  output.line(
    `  created  ${view.created_at}${view.finished_at === null ? '' : `  finished ${view.finished_at}`}`,
  );
  if (view.error !== null) output.line(`  error    ${style.red(view.error)}`);
  output.line(`  items    ${itemCounts(view)}`);
  output.line();
  printSteps(output, view);
  printHints(output, view);
}

/** Runs as a table (`flotilla runs list`). */
export function printRunList(output: Output, runs: readonly RunSummary[]): void {
  if (runs.length === 0) return output.line(style.dim('no runs'));
  const rows = runs.map((run) => [run.id, run.status, run.name ?? '', run.created_at, run.finished_at ?? '']);
  const [head, ...body] = table([['ID', 'STATUS', 'NAME', 'CREATED', 'FINISHED'], ...rows]);
  output.line(style.bold(head!));
  for (const line of body) output.line(line);
}

/** How a run that was driven here ended, with its steps and what to do next. */
export function printOutcome(output: Output, view: RunView): void {
  output.line();
  printSteps(output, view);
  output.line();
  const took = span(view.started_at, view.finished_at);
  const error = view.error === null || view.status === 'paused' ? '' : `: ${view.error}`;
  output.line(
    `${RUN_SYMBOL[view.status]} ${view.id} ${style.bold(view.status)}${took === '' ? '' : ` in ${took}`}${error}`,
  );
  printHints(output, view);
}

/** The command that moves a stopped run on: approve a gate, or resume. */
function printHints(output: Output, view: RunView): void {
  if (view.status === 'paused') {
    const several = view.waiting.length > 1;
    for (const gate of view.waiting) {
      const step = gate.step_id ?? gate.item_id;
      const flag = several ? ` --gate ${gate.item_id}` : '';
      output.line(
        `${ITEM_SYMBOL.pending} paused at gate ${step}: ${gate.message ?? ''} — approve with: flotilla runs approve ${view.id}${flag}`,
      );
    }
  }
  if (view.status === 'interrupted' || view.status === 'failed') {
    const resume =
      view.kind === 'plan' ? `flotilla plan --resume ${view.id}` : `flotilla runs resume ${view.id}`;
    output.line(style.dim(`resume with: ${resume}`));
  }
}
