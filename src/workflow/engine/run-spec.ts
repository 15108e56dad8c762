import type { StepDefinition, WorkflowDefinition } from '../format/index.js';

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

/** The spec of a new run of `definition`. */
export function runSpecOf(definition: WorkflowDefinition, baseDir: string): RunSpec {
  const stepOrder: string[] = [];
  const visit = (steps: readonly StepDefinition[]): void => {
    for (const step of steps) {
      stepOrder.push(step.id);
      for (const nested of nestedSteps(step)) visit(nested);
    }
  };
  visit(definition.steps);
  return { definition, baseDir, stepOrder };
}

function nestedSteps(step: StepDefinition): (readonly StepDefinition[])[] {
  switch (step.type) {
    case 'fan-out':
      return [[(step as { step: StepDefinition }).step]];
    case 'if': {
      const branches = step as { then: readonly StepDefinition[]; else: readonly StepDefinition[] };
      return [branches.then, branches.else];
    }
    default:
      return [];
  }
}
