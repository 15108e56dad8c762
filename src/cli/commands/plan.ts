import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import {
  decompose,
  decomposeOptionsOf,
  DEFAULT_BOUNDS,
  DEFAULT_MAX_PARALLEL,
  listPlanFiles,
  planId,
  type Decomposition,
  type PlanNode,
} from '../../plan/index.js';
import { createContext, type CommandState, type GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';
import type { Output } from '../output.js';
import { parseCount } from '../parse.js';
import { style } from '../style.js';
import { resumePlan, runPlan } from './plan-run.js';

/**
 * `flotilla plan DIR --task TEXT`: splits a codebase task into leaves by directory (docs/plan.md). With
 * `--dry-run` it prints the tree and runs nothing (any folder); without, it runs each leaf as an agent job
 * of `--agent` and merges their changes onto `flotilla/plan-<id>`. `--resume ID` continues a stopped plan.
 */
export function registerPlanCommand(
  program: Command<[], GlobalOptions>,
  signal: AbortSignal,
  state: CommandState,
): void {
  program
    .command('plan')
    .description(
      'split a task over a codebase into leaves by directory, run them in parallel, merge their changes',
    )
    .argument('[dir]', 'the folder to plan over (default: the current folder)')
    .option('--task <text>', 'what to do; each leaf’s agent is given it with its own files')
    .option('--dry-run', 'print the split and run nothing')
    .option('--agent <name>', 'the agent profile every leaf runs (agents: in flotilla.config.yaml)')
    .addOption(
      new Option(
        '--max-parallel <n>',
        `leaves whose jobs run at once (default ${DEFAULT_MAX_PARALLEL})`,
      ).argParser(parseCount('--max-parallel', 1)),
    )
    .addOption(
      new Option(
        '--max-files <n>',
        `a leaf holds at most this many files (default ${DEFAULT_BOUNDS.maxFiles})`,
      ).argParser(parseCount('--max-files', 1)),
    )
    .addOption(
      new Option(
        '--max-tokens <n>',
        `…and at most this many tokens, estimated from size (default ${DEFAULT_BOUNDS.maxTokens})`,
      ).argParser(parseCount('--max-tokens', 1)),
    )
    .addOption(
      new Option(
        '--min-files <n>',
        `sibling folders with fewer files are grouped (default ${DEFAULT_BOUNDS.minFiles})`,
      ).argParser(parseCount('--min-files', 1)),
    )
    .addOption(
      new Option(
        '--max-depth <n>',
        `folders split at most this deep (default ${DEFAULT_BOUNDS.maxDepth})`,
      ).argParser(parseCount('--max-depth', 1)),
    )
    .option('--ref <ref>', 'the branch, tag or commit to plan from (default: HEAD)')
    .option('--prompt <template>', 'each leaf’s prompt, with {task}, {files}, {path} and {leaf_id}')
    .addOption(
      new Option('--timeout <s>', 'seconds each leaf’s agent may run').argParser(parseCount('--timeout', 1)),
    )
    .option('--reconcile', 'hand the leaves that conflict to one more agent job, on the merged result')
    .option('--no-verify', 'do not run the repository’s verify command on the merged result')
    .option('--resume <id>', 'continue a stopped or failed plan run; its finished leaves never run again')
    .addHelpText(
      'after',
      `
Examples:
  flotilla plan . --task "Use the new logger in every module" --dry-run
  flotilla plan . --task "Use the new logger in every module" --agent claude --max-parallel 4
  flotilla plan --resume run_01…     # after Ctrl-C or a crash

The result is the branch flotilla/plan-<id> in DIR's repository; its working tree and current branch are
left alone. Exit 0 when every leaf applied (conflicts reconciled with --reconcile, the result verified),
1 otherwise, 2 for bad flags.`,
    )
    .action(async (dir, options, command) => {
      const context = createContext(command.optsWithGlobals(), signal);
      if (options.resume !== undefined) {
        const extra = dir !== undefined ? 'DIR' : options.task !== undefined ? '--task' : undefined;
        if (extra !== undefined) {
          throw new UsageError(
            `--resume continues a stored plan with its own ${extra}: give only the run id`,
          );
        }
        state.exitCode = await resumePlan(context, options.resume);
        return;
      }
      const task = options.task?.trim();
      if (task === undefined || task === '')
        throw new UsageError('--task is required: what should the leaves do?');
      const folder = resolve(dir ?? '.');
      const bounds = {
        ...(options.maxFiles === undefined ? {} : { max_files: options.maxFiles }),
        ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
        ...(options.minFiles === undefined ? {} : { min_files: options.minFiles }),
        ...(options.maxDepth === undefined ? {} : { max_depth: options.maxDepth }),
      };
      if (options.dryRun === true) {
        const source = await listPlanFiles(folder, options.ref === undefined ? {} : { ref: options.ref });
        const plan = decompose(source.files, decomposeOptionsOf(bounds));
        printDryRun(context.output, { id: planId(task, plan.leaves), task, root: folder }, plan, source.git);
        return;
      }
      if (options.agent === undefined) {
        throw new UsageError('--agent is required to run a plan (or --dry-run to see the split)');
      }
      state.exitCode = await runPlan(context, folder, {
        task,
        agent: options.agent,
        maxParallel: options.maxParallel ?? DEFAULT_MAX_PARALLEL,
        bounds,
        ...(options.ref === undefined ? {} : { ref: options.ref }),
        ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
        ...(options.timeout === undefined ? {} : { timeoutS: options.timeout }),
        verify: options.verify,
        reconcile: options.reconcile === true,
      });
    });
}

/** A dry run: the tree for people, or `{plan, leaves, stats}` with `--json`. */
function printDryRun(
  output: Output,
  plan: { id: string; task: string; root: string },
  decomposition: Decomposition,
  git: boolean,
): void {
  const { leaves, stats } = decomposition;
  if (output.json) {
    output.document({
      plan,
      leaves: leaves.map(({ id, path, files, tokens, depth, sparse, scope }) => ({
        id,
        path,
        files,
        tokens,
        depth,
        sparse,
        scope,
      })),
      stats,
    });
    return;
  }
  output.line(
    `${style.bold(`plan ${plan.id}`)} over ${plan.root}: ${stats.files} ${git ? 'tracked ' : ''}files, ` +
      `${stats.leaves} leaves, depth ${stats.max_depth}`,
  );
  output.line(style.dim(`task: ${plan.task.split('\n')[0]!}`));
  output.line();
  printNode(output, decomposition.root, '', true, true);
  output.line();
  output.line(style.dim('Nothing ran (--dry-run). Run it with --agent NAME; see docs/plan.md.'));
}

function printNode(output: Output, node: PlanNode, indent: string, last: boolean, top: boolean): void {
  const branch = top ? '' : last ? '└─ ' : '├─ ';
  const size = `${plural(node.files, 'file')}, ~${plural(node.tokens, 'token')}`;
  const name = node.leaf === undefined ? style.bold(node.path) : `${node.path}  ${style.cyan(node.leaf)}`;
  output.line(`${indent}${branch}${name}  ${style.dim(size)}`);
  const inner = top ? '' : `${indent}${last ? '   ' : '│  '}`;
  node.children.forEach((child, index) => {
    printNode(output, child, inner, index === node.children.length - 1, false);
  });
}

/** `1 file`, `12 files`, `~60,000 tokens`. */
function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
