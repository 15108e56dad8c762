import { FlotillaError } from '../../core/index.js';
import type { StepDefinition, StepSchema } from '../format/index.js';
import type { StepType } from './step-type.js';

/**
 * The step types an engine runs, by `type`: the built-in ones plus any a caller adds (later issues add
 * `plan`, `qa` and `suites` this way). The loader validates against the same list (`schemas`).
 */
export class StepRegistry {
  readonly #types = new Map<string, StepType>();

  constructor(types: readonly StepType[]) {
    for (const type of types) {
      if (this.#types.has(type.type)) {
        throw new FlotillaError('E_INVALID_ARGUMENT', `Step type "${type.type}" is registered twice`);
      }
      this.#types.set(type.type, type);
    }
  }

  /** The schemas of every registered type, for `parseWorkflow` / `loadWorkflowFile`. */
  get schemas(): readonly StepSchema[] {
    return [...this.#types.values()];
  }

  /** The type of a step; a loaded workflow only names registered types, so a miss is a bug. */
  get(type: StepDefinition['type']): StepType {
    const found = this.#types.get(type);
    if (found === undefined) {
      const known = [...this.#types.keys()].join(', ');
      throw new FlotillaError('E_WORKFLOW_INVALID', `Unknown step type "${type}" (known: ${known})`);
    }
    return found;
  }
}
