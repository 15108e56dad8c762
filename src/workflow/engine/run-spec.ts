import type { WorkflowDefinition } from '../format/index.js';
import type { StepRegistry } from './step-registry.js';

/**
 * What a workflow run stores as its `spec`: the workflow as it was when the run was created (a resume runs
 * this, even if the file changed since), and where relative paths resolve.
 */
export interface RunSpec {
  readonly definition: WorkflowDefinition;
  /** The folder relative paths of the workflow resolve against (the file's folder, or the caller's cwd). */
  readonly baseDir: string;
  /** Every step id in document order, nested ones included (for showing steps in file order). */
  readonly stepOrder: readonly string[];
}

/** The spec of a new run of `definition`; `registry` says which fields of a step nest steps. */
export function runSpecOf(definition: WorkflowDefinition, baseDir: string, registry: StepRegistry): RunSpec {
  const stepOrder: string[] = [];
  registry.walk(definition.steps, (step) => stepOrder.push(step.id));
  return { definition, baseDir, stepOrder };
}

/**
 * The kinds of run the engine drives: workflows, and plans (a workflow of one `plan` step, made by
 * `flotilla plan`), listed, reaped and resumed alike.
 */
export const ENGINE_RUN_KINDS = ['workflow', 'plan'] as const;
/** A kind of run the engine drives. */
export type EngineRunKind = (typeof ENGINE_RUN_KINDS)[number];
