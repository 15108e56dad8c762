import { BUILTIN_STEP_TYPES, type AnyStepType } from '../workflow/index.js';

/**
 * Every step type a workflow may use. A capability (planner, QA crawler, suite orchestrator) exports
 * its step types from its folder's index.ts and is registered here, so that the workflow engine never
 * imports a capability: the import rules stay one-way (see docs/architecture.md).
 */
export const STEP_TYPES: readonly AnyStepType[] = [...BUILTIN_STEP_TYPES];
