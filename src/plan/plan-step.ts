import { realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import {
  count,
  flag,
  literalOr,
  renderString,
  renderValue,
  seconds,
  stepFields,
  StepError,
  text,
  type ExpressionScope,
  type ItemResult,
  type StepBase,
  type StepType,
} from '../workflow/index.js';
import { DEFAULT_LEAF_PROMPT, leafPrompt } from './leaf-prompt.js';
import { claimBranch, mergeLeaves, verifyResult, type MergeResult } from './merge/index.js';
import type { PlanDecomposeStep, PlanDecomposition } from './plan-decompose-step.js';
import type { LeafItem, LeafOutput, PlanLeafStep } from './plan-leaf-step.js';
import { PlanError } from './plan-error.js';
import { reconcile, type PlanReconcile } from './reconcile.js';
import { decomposeOptionsOf } from './decompose.js';
import type { DecomposeOptions } from './types.js';

/** `--max-parallel`'s default: leaves whose jobs run at once. */
export const DEFAULT_MAX_PARALLEL = 10;

/**
 * `type: plan` in a workflow (and what `flotilla plan` runs): a task split into leaves by directory, each
 * leaf an agent job in a sparse checkout, at most `max_parallel` at once, their changes merged in leaf
 * order onto `flotilla/plan-<id>` (docs/plan.md). Text fields and numbers may be expressions.
 */
export interface PlanStep extends StepBase {
  readonly type: 'plan';
  /** The folder to plan over: in a configured repository, or a configured repository's key. */
  readonly dir: string;
  readonly task: string;
  /** The agent profile every leaf runs. */
  readonly agent: string;
  /** Each leaf's prompt, with `{task}`, `{files}`, `{path}` and `{leaf_id}`. @default DEFAULT_LEAF_PROMPT */
  readonly prompt?: string;
  readonly ref?: string;
  readonly max_parallel?: number | string;
  readonly max_files?: number | string;
  readonly max_tokens?: number | string;
  readonly min_files?: number | string;
  readonly max_depth?: number | string;
  /** Seconds each leaf's agent may run. */
  readonly timeout_s?: number;
  /** Whether the other leaves go on after one failed. @default true */
  readonly continue_on_error?: boolean;
  /** Whether the merged result is verified with the repository's `verify` command, when it has one. @default true */
  readonly verify?: boolean;
  /** Whether conflicts are handed to one more agent job on the merged result (docs/plan.md). @default false */
  readonly reconcile?: boolean;
}

/** How one leaf ended, in the plan's output. */
export interface PlanLeafSummary {
  readonly id: string;
  readonly path: string;
  readonly files: number;
  readonly tokens: number;
  readonly status: ItemResult['status'];
  readonly job_id: string | null;
  readonly changed_files: readonly string[];
  readonly error: string | null;
}

/** What a `plan` step gives as `steps.ID.output` (and `flotilla plan --json`). */
export interface PlanOutput {
  readonly plan: PlanDecomposition['plan'];
  /** The commit the leaves started from. */
  readonly base: string;
  readonly leaves: readonly PlanLeafSummary[];
  readonly stats: PlanDecomposition['stats'] & {
    /** The most leaf jobs that ran at once, from their start and finish times: never above `max_parallel`. */
    readonly peak_concurrency: number;
    readonly max_parallel: number;
  };
  readonly result: {
    readonly branch: string;
    readonly head: string;
    readonly applied: readonly string[];
    readonly unchanged: readonly string[];
    readonly conflicts: MergeResult['conflicts'];
    readonly unapplicable: MergeResult['unapplicable'];
    /** The job the conflicts were handed to (`reconcile: true`); `null` when there was none. */
    readonly reconcile: PlanReconcile | null;
    /** Leaves whose job did not succeed. */
    readonly failed: readonly {
      readonly leaf: string;
      readonly status: string;
      readonly error: string | null;
    }[];
  };
  readonly scope_violations: MergeResult['scope_violations'];
  /** The repository's `verify` on the result; `null` when it has none or the plan was told not to. */
  readonly verify: {
    readonly ok: boolean;
    readonly exit_code: number | null;
    readonly timed_out: boolean;
    readonly tail: readonly string[];
  } | null;
}

/** What the plan step type is made with. */
export interface PlanStepDeps {
  /** The repositories leaves may check out, and their `verify`. */
  readonly config: Pick<ResolvedConfig, 'repos'>;
}

const wholeOrExpression = (min: number) => literalOr(count(min), `an integer ≥ ${min}`).optional();

/** The `plan` step type. */
export function planStepType({ config }: PlanStepDeps): StepType<PlanStep, 'jobs'> {
  return {
    type: 'plan',
    fields: stepFields({
      dir: text(true),
      task: text(true),
      agent: text(true),
      prompt: text(true).optional(),
      ref: text(true).optional(),
      max_parallel: wholeOrExpression(1),
      max_files: wholeOrExpression(1),
      max_tokens: wholeOrExpression(1),
      min_files: wholeOrExpression(1),
      max_depth: wholeOrExpression(1),
      timeout_s: seconds().optional(),
      verify: flag().optional(),
      reconcile: flag().optional(),
    }),
    needs: ['jobs'],
    async execute(step, context) {
      const { scope } = context;
      const task = renderString(step.task, scope);
      const maxParallel = integerOf(step, 'max_parallel', scope) ?? DEFAULT_MAX_PARALLEL;
      const decompose = {
        // Named after the plan step (`plan:decompose`), so that it never meets a step of the workflow's own.
        id: `${step.id}:decompose`,
        type: 'plan-decompose',
        dir: folderOf(config, renderString(step.dir, scope), context.baseDir),
        task,
        ...(step.ref === undefined ? {} : { ref: renderString(step.ref, scope) }),
        bounds: boundsOf(step, scope),
      } satisfies PlanDecomposeStep;
      const decided = (await context.runSteps([decompose]))[decompose.id] as PlanDecomposition;
      const repo = repoKeyOf(config, decided.repository);
      const branch = `flotilla/plan-${decided.plan.id}`;
      // Before any job: a branch of another run's (or checked out) would only be refused after them.
      await claimBranch(decided.repository, {
        branch,
        base: decided.commit,
        runId: context.runId,
        signal: context.signal,
      });
      // What every job of the plan runs: each leaf's, and the reconciling one's.
      const leafStep = {
        type: 'plan-leaf',
        agent: renderString(step.agent, scope),
        repo,
        ...(step.timeout_s === undefined ? {} : { timeout_s: step.timeout_s }),
      } as const;
      const template = { ...leafStep, id: 'leaf', base: decided.commit } satisfies PlanLeafStep;
      const promptTemplate =
        step.prompt === undefined ? DEFAULT_LEAF_PROMPT : renderString(step.prompt, scope);
      const items = decided.leaves.map((leaf): LeafItem => ({
        id: leaf.id,
        path: leaf.path,
        sparse: leaf.sparse,
        prompt: leafPrompt(promptTemplate, task, leaf),
      }));
      const outcome = await context.runItems(template, items, {
        concurrency: maxParallel,
        continueOnError: step.continue_on_error ?? true,
        retries: 0,
      });
      const outputs = outcome.results.map((result) => result.output as LeafOutput | null);
      const succeeded = outcome.results.filter((result) => result.status === 'succeeded');
      const merged = await mergeLeaves({
        repo: decided.repository,
        base: decided.commit,
        branch,
        runId: context.runId,
        changes: succeeded.map((result) => ({
          leaf: decided.leaves[result.index]!,
          diff: (result.output as LeafOutput).diff ?? '',
        })),
        message: (leaf: string) =>
          `plan ${decided.plan.id}: ${task.split('\n')[0]!.slice(0, 60)} (leaf ${leaf})`,
        signal: context.signal,
      });
      const reconciled =
        step.reconcile === true && merged.conflicts.length > 0
          ? await reconcile({
              context,
              leafStep,
              planId: decided.plan.id,
              task,
              repository: decided.repository,
              leaves: decided.leaves,
              outputs,
              merged,
            })
          : null;
      const head = reconciled?.head ?? merged.head;
      const verifyCommand = config.repos[repo]?.verify;
      const verified =
        step.verify === false || verifyCommand === undefined || head === decided.commit
          ? null
          : await verifyResult({
              repo: decided.repository,
              commit: head,
              command: verifyCommand,
              env: context.env,
              signal: context.signal,
            });
      const output: PlanOutput = {
        plan: decided.plan,
        base: decided.commit,
        leaves: decided.leaves.map((leaf, index) => {
          const result = outcome.results[index];
          const job = outputs[index];
          return {
            id: leaf.id,
            path: leaf.path,
            files: leaf.files.length,
            tokens: leaf.tokens,
            status: result?.status ?? 'cancelled',
            job_id: job?.job_id ?? null,
            changed_files: merged.changed_files[leaf.id] ?? job?.changed_files ?? [],
            error: result?.error ?? (result === undefined ? 'not run: the plan halted before it' : null),
          };
        }),
        stats: {
          ...decided.stats,
          max_parallel: maxParallel,
          peak_concurrency: peakOf(outputs.filter((one): one is LeafOutput => one !== null)),
        },
        result: {
          branch: merged.branch,
          head,
          applied: merged.applied,
          unchanged: merged.unchanged,
          conflicts: merged.conflicts,
          unapplicable: merged.unapplicable,
          reconcile: reconciled?.reconcile ?? null,
          failed: outcome.results
            .filter((result) => result.status !== 'succeeded')
            .map((result) => ({
              leaf: decided.leaves[result.index]!.id,
              status: result.status,
              error: result.error,
            })),
        },
        scope_violations: merged.scope_violations,
        verify:
          verified === null
            ? null
            : {
                ok: verified.ok,
                exit_code: verified.exitCode,
                timed_out: verified.timedOut,
                tail: verified.tail,
              },
      };
      const problems = problemsOf(output, decided.leaves.length);
      if (problems.length > 0) throw new StepError(`${step.id}: ${problems.join('; ')}`, { output });
      return output;
    },
  };
}

/** What makes a plan fail, in words: leaves that failed or were not applied, a failing verify. */
function problemsOf(output: PlanOutput, leaves: number): string[] {
  const { result, verify } = output;
  const problems: string[] = [];
  const count = (n: number, what: string): string => `${n} of ${leaves} leaves ${what}`;
  if (result.failed.length > 0) problems.push(count(result.failed.length, 'failed'));
  if (result.reconcile !== null && !result.reconcile.applied) {
    problems.push(
      `the job reconciling ${count(result.conflicts.length, 'that conflicted')} did not: ${result.reconcile.error ?? result.reconcile.status}`,
    );
  } else if (result.conflicts.length > 0 && result.reconcile === null) {
    problems.push(count(result.conflicts.length, 'conflicted and were not applied'));
  }
  if (result.unapplicable.length > 0)
    problems.push(count(result.unapplicable.length, 'gave a change that does not apply'));
  if (verify !== null && !verify.ok) {
    problems.push(
      verify.timed_out
        ? 'verify timed out on the result'
        : `verify failed on the result (exit ${verify.exit_code})`,
    );
  }
  return problems;
}

/**
 * The most jobs that ran at once, from their start and finish times (a finish and a start at the same
 * moment do not overlap).
 */
export function peakOf(jobs: readonly Pick<LeafOutput, 'started_at' | 'finished_at'>[]): number {
  const edges: [number, number][] = [];
  for (const job of jobs) {
    if (job.started_at === null || job.finished_at === null) continue;
    edges.push([Date.parse(job.started_at), 1], [Date.parse(job.finished_at), -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, change] of edges) {
    running += change;
    peak = Math.max(peak, running);
  }
  return peak;
}

type NumberField = 'max_parallel' | 'max_files' | 'max_tokens' | 'min_files' | 'max_depth';

/** A number field's value once its expression (if any) is evaluated; a bad value fails the step naming it. */
function integerOf(step: PlanStep, field: NumberField, scope: ExpressionScope): number | undefined {
  const raw = step[field];
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' ? renderValue(raw, scope) : raw;
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw new StepError(`${step.id}: ${field}: expected an integer ≥ 1, got ${JSON.stringify(value)}`);
  }
  return number;
}

function boundsOf(step: PlanStep, scope: ExpressionScope): DecomposeOptions {
  const fields: Record<string, number | undefined> = {};
  for (const field of ['max_files', 'max_tokens', 'min_files', 'max_depth'] as const) {
    fields[field] = integerOf(step, field, scope);
  }
  return decomposeOptionsOf(fields);
}

/** `dir` as a folder: a configured repository's key gives its folder; a path resolves against `baseDir`. */
function folderOf(config: PlanStepDeps['config'], dir: string, baseDir: string): string {
  if (Object.hasOwn(config.repos, dir)) return resolve(config.repos[dir]!.path);
  return isAbsolute(dir) ? dir : resolve(baseDir, dir);
}

/** The key of the configured repository whose folder is `root`; a plan's leaves are jobs of one. */
function repoKeyOf(config: PlanStepDeps['config'], root: string): string {
  const real = realpathSync(root);
  for (const [key, repo] of Object.entries(config.repos)) {
    try {
      if (realpathSync(resolve(repo.path)) === real) return key;
    } catch {
      // A configured folder that is gone is no match.
    }
  }
  throw new PlanError(
    'E_INVALID_ARGUMENT',
    `${root} is not a repository of the configuration (repos:): a plan's leaves are jobs of a configured ` +
      'repository (`flotilla plan DIR` adds the repository of DIR itself)',
    'dir',
  );
}
