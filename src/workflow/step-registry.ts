import { FlotillaError } from '../core/index.js';
import type { StepDefinition } from './definition.js';
import type { StepSchema } from './step-schema.js';
import type { StepType } from './step-type.js';
import { agentStep } from './steps/agent-step.js';
import { fanInStep } from './steps/fan-in-step.js';
import { fanOutStep } from './steps/fan-out-step.js';
import { gateStep } from './steps/gate-step.js';
import { ifStep } from './steps/if-step.js';
import { shellStep } from './steps/shell-step.js';

/** The step types every engine knows. */
export const BUILTIN_STEP_TYPES: readonly StepType[] = [
  shellStep,
  agentStep,
  fanOutStep,
  fanInStep,
  ifStep,
  gateStep,
] as readonly StepType[];

/**
 * The step types an engine runs, by `type`: the built-in ones plus any a caller adds (later issues add
 * `plan`, `qa` and `suites` this way). The loader validates against the same list (`schemas`).
 */
export class StepRegistry {
  readonly #types = new Map<string, StepType>();

  constructor(extra: readonly StepType[] = []) {
    for (const type of [...BUILTIN_STEP_TYPES, ...extra]) {
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
