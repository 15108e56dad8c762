import { resolve } from 'node:path';
import {
  listPlanFiles,
  requireCommit,
  type PlanDecomposition,
  type PlanLeaf,
  type PlanOutput,
} from '../../plan/index.js';
import { openRuntime } from '../../runtime/index.js';
import { RunError, type RunHandle, type RunView, type WorkflowDefinition } from '../../workflow/index.js';
import type { CommandContext } from '../context.js';
import { printPlanOutcome } from '../display/plan-report.js';
import { printOutcome } from '../display/run-report.js';
import type { ExitCode } from '../exit-codes.js';
import { withLocalRepo } from './exec.js';
import { exitCodeOfRun, openRunSession, type RunSession } from './run-session.js';

/** The step id of the one step of a plan's run, and of the decomposition stored under it. */
const PLAN_STEP = 'plan';
const DECOMPOSE_ITEM = `${PLAN_STEP}:decompose`;

/** What `flotilla plan DIR` runs with, from its flags (already checked). */
export interface PlanRunOptions {
  readonly task: string;
  readonly agent: string;
  readonly maxParallel: number;
  readonly bounds: {
    readonly max_files?: number;
    readonly max_tokens?: number;
    readonly min_files?: number;
    readonly max_depth?: number;
  };
  readonly ref?: string;
  readonly prompt?: string;
  readonly timeoutS?: number;
  readonly verify: boolean;
  /** Hand the conflicts to a reconciling job (`--reconcile`). */
  readonly reconcile: boolean;
}

/**
 * `flotilla plan DIR --task TEXT` (no `--dry-run`): the plan as a run of kind `plan` of one `plan` step,
 * driven here with a line per leaf, then its result. DIR's repository is added to the configuration's
 * repositories for this command (keyed by its folder), as `flotilla exec --repo DIR` does.
 * @returns the exit code: 0 every leaf applied (and verified), 1 something failed, 130 interrupted.
 */
export async function runPlan(
  context: CommandContext,
  dir: string,
  options: PlanRunOptions,
): Promise<ExitCode> {
  const folder = resolve(dir);
  // A bad folder or ref is refused here (exit 2), before anything is stored.
  const source = requireCommit(
    await listPlanFiles(folder, { ...(options.ref === undefined ? {} : { ref: options.ref }) }),
    folder,
  );
  const definition: WorkflowDefinition = {
    schema_version: 1,
    workflow: { id: 'plan', name: `plan: ${options.task.split('\n')[0]!.slice(0, 80)}` },
    inputs: {},
    steps: [
      {
        id: PLAN_STEP,
        type: 'plan',
        dir: folder,
        task: options.task,
        agent: options.agent,
        max_parallel: options.maxParallel,
        ...options.bounds,
        ...(options.ref === undefined ? {} : { ref: options.ref }),
        ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
        ...(options.timeoutS === undefined ? {} : { timeout_s: options.timeoutS }),
        verify: options.verify,
        reconcile: options.reconcile,
      },
    ],
  };
  const session = await openRunSession({
    ...context,
    config: withLocalRepo(context.config, source.root).config,
  });
  try {
    let runId: string | undefined;
    session.display.setLabels(storedLabels(session, () => runId));
    await session.prepare(session.engine.needs(definition));
    return await drivePlan(context, session, source.root, (signal) => {
      const handle = session.engine.run(definition, {}, { kind: 'plan', signal });
      runId = handle.id;
      return handle;
    });
  } finally {
    await session.close();
  }
}

/**
 * `flotilla plan --resume ID`: continues a plan that was interrupted or failed. Its finished leaves are
 * never run again (their changes are read back from the store); the others run, then all are merged again.
 */
export async function resumePlan(context: CommandContext, id: string): Promise<ExitCode> {
  const folder = await storedPlanFolder(context, id);
  const source = await listPlanFiles(folder);
  const session = await openRunSession({
    ...context,
    config: withLocalRepo(context.config, source.root).config,
  });
  try {
    session.display.setLabels(storedLabels(session, () => id));
    await session.prepare(session.engine.needsOfRun(id));
    return await drivePlan(context, session, source.root, (signal) => session.engine.resume(id, { signal }));
  } finally {
    await session.close();
  }
}

/** The folder a stored plan run plans over, read before the runtime that resumes it is opened. */
async function storedPlanFolder(context: CommandContext, id: string): Promise<string> {
  const runtime = await openRuntime({ config: context.config });
  try {
    const run = runtime.store.runs.get(id);
    if (run === undefined) throw new RunError('E_RUN_NOT_FOUND', `No run ${id}`);
    const step = runtime.workflows.definitionOf(id)?.steps[0];
    if (run.kind !== 'plan' || step?.type !== 'plan' || typeof step.dir !== 'string') {
      throw new RunError(
        'E_RUN_NOT_RESUMABLE',
        `Run ${id} is a ${run.kind} run, not a plan: resume it with flotilla runs resume ${id}`,
      );
    }
    return step.dir;
  } finally {
    await runtime.close();
  }
}

/**
 * Names each leaf item of the live display by its leaf (`src-api-3f2a1c src/api`), from the decision the
 * run stored before its first leaf started.
 */
function storedLabels(
  session: RunSession,
  runIdOf: () => string | undefined,
): (itemId: string) => string | undefined {
  let leaves: readonly Pick<PlanLeaf, 'id' | 'path'>[] | undefined;
  return (itemId) => {
    if (/^plan:reconcile-[0-9a-f]+:0$/.test(itemId)) return 'reconcile (the leaves that conflicted)';
    const match = /^plan:leaf:(\d+)$/.exec(itemId);
    const runId = runIdOf();
    if (match === null || runId === undefined) return undefined;
    leaves ??= (
      session.runtime.store.items.get(runId, DECOMPOSE_ITEM)?.output as PlanDecomposition | undefined
    )?.leaves;
    const leaf = leaves?.[Number(match[1])];
    return leaf === undefined ? undefined : `${leaf.id} ${leaf.path}`;
  };
}

/** Drives the plan's run with the live display, then prints its result (or its one JSON document). */
async function drivePlan(
  context: CommandContext,
  session: RunSession,
  repository: string,
  start: (signal: AbortSignal) => RunHandle,
): Promise<ExitCode> {
  const { output } = context;
  session.display.start();
  let view: RunView;
  try {
    view = await start(context.signal).done;
  } finally {
    session.display.stop();
  }
  const plan = (view.steps[PLAN_STEP]?.output ?? null) as PlanOutput | null;
  if (output.json) {
    output.document({ run: { id: view.id, status: view.status, error: view.error }, ...plan });
  } else if (plan === null) {
    printOutcome(output, view);
  } else {
    printPlanOutcome(output, plan, repository);
    if (view.status !== 'succeeded') printOutcome(output, view);
  }
  return exitCodeOfRun(view);
}
