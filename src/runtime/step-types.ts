import type { ResolvedConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { suitesStepType } from '../suites/index.js';
import { BUILTIN_STEP_TYPES, type AnyStepType } from '../workflow/index.js';

/** What capabilities' step types are made with: the configuration and the store. */
export interface StepTypeDeps {
  readonly config: ResolvedConfig;
  readonly store: Store;
}

/**
 * Every step type a workflow may use. A capability (planner, QA crawler, suite orchestrator) exports
 * its step types from its folder's index.ts and is registered here, so that the workflow engine never
 * imports a capability: the import rules stay one-way (see docs/architecture.md).
 */
export function stepTypes({ config, store }: StepTypeDeps): AnyStepType[] {
  return [...BUILTIN_STEP_TYPES, suitesStepType({ config, history: store.suiteHistory })];
}
