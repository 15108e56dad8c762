import type { ResolvedConfig } from '../config/index.js';
import { planDecomposeStepType, planLeafStepType, planStepType } from '../plan/index.js';
import { qaStepType, type QaRunner } from '../qa/index.js';
import type { Store } from '../store/index.js';
import { suitesStepType } from '../suites/index.js';
import { BUILTIN_STEP_TYPES, type AnyStepType } from '../workflow/index.js';

/** What capabilities' step types are made with: the configuration, the store and the QA runs. */
export interface StepTypeDeps {
  readonly config: ResolvedConfig;
  readonly store: Store;
  /** Where `qa` steps crawl: the runtime's bound on crawls and its shared politeness. */
  readonly qa: QaRunner;
}

/**
 * Every step type a workflow may use. A capability (planner, QA crawler, suite orchestrator) exports
 * its step types from its folder's index.ts and is registered here, so that the workflow engine never
 * imports a capability: the import rules stay one-way (see docs/architecture.md).
 */
export function stepTypes({ config, store, qa }: StepTypeDeps): AnyStepType[] {
  return [
    ...BUILTIN_STEP_TYPES,
    suitesStepType({ config, history: store.suiteHistory }),
    qaStepType({ config, runner: qa }),
    planStepType({ config }),
    planDecomposeStepType,
    planLeafStepType,
  ];
}
