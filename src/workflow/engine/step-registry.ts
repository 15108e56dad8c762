import { InvalidArgumentError } from '../../core/index.js';
import { WorkflowError, type StepDefinition, type StepSchema } from '../format/index.js';
import type { AnyStepType, StepNeed } from './step-type.js';

/**
 * The step types an engine runs, by `type`: the built-in ones and those the runtime registers for the
 * capabilities (planner, QA, suites). Everything the engine and the CLI know of a step type — how to
 * load it, which fields nest steps, what it needs — comes from here.
 */
export class StepRegistry {
  readonly #types = new Map<string, AnyStepType>();

  /** @throws InvalidArgumentError when two types share a `type`. */
  constructor(types: readonly AnyStepType[]) {
    for (const type of types) {
      if (this.#types.has(type.type)) {
        throw new InvalidArgumentError(`Step type "${type.type}" is registered twice`);
      }
      this.#types.set(type.type, type);
    }
  }

  /** The schemas of every registered type, for `parseWorkflow` / `loadWorkflowFile`. */
  get schemas(): readonly StepSchema[] {
    return [...this.#types.values()];
  }

  /**
   * The type of a step. A loaded workflow names only registered types; a stored run may name one this
   * process did not register (resumed where a capability is missing).
   * @throws WorkflowError `E_WORKFLOW_INVALID` for an unknown type.
   */
  get(type: StepDefinition['type']): AnyStepType {
    const found = this.#types.get(type);
    if (found === undefined) {
      const known = [...this.#types.keys()].join(', ');
      throw new WorkflowError(`Unknown step type "${type}" (known: ${known})`);
    }
    return found;
  }

  /**
   * The steps nested in `step` (a fan-out's template, an `if`'s branches, a `switch`'s cases), field by
   * field in schema order, a `switch`'s cases one list each.
   */
  nested(step: StepDefinition): (readonly StepDefinition[])[] {
    const fields = this.#types.get(step.type)?.nested ?? [];
    return fields.flatMap(({ field, cases }) => {
      const value = (step as Readonly<Record<string, unknown>>)[field];
      if (value === undefined || value === null) return [];
      if (cases === true) return Object.values(value as Record<string, readonly StepDefinition[]>);
      return [Array.isArray(value) ? value : [value]];
    });
  }

  /** Calls `visit` with every step of `steps` and the steps nested in them, in document order. */
  walk(steps: readonly StepDefinition[], visit: (step: StepDefinition) => void): void {
    for (const step of steps) {
      visit(step);
      for (const inner of this.nested(step)) this.walk(inner, visit);
    }
  }

  /** What the steps (nested ones included) need from the runtime, by the `needs` of their types. */
  needs(steps: readonly StepDefinition[]): Set<StepNeed> {
    const needs = new Set<StepNeed>();
    this.walk(steps, (step) => {
      for (const need of this.#types.get(step.type)?.needs ?? []) needs.add(need);
    });
    return needs;
  }
}
