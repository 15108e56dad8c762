/**
 * The planner (`flotilla plan`, docs/plan.md): a codebase task split into leaves by directory, each leaf
 * an agent job in its own sparse workspace, and their changes merged onto one result branch.
 */
export { PlanError, type PlanErrorCode } from './plan-error.js';
export type { Decomposition, DecomposeOptions, LeafScope, PlanFile, PlanLeaf, PlanNode } from './types.js';
export {
  mergeLeaves,
  RUN_TRAILER,
  scopeViolations,
  VERIFY_TAIL_LINES,
  verifyResult,
  type LeafChange,
  type MergeConflict,
  type MergeOptions,
  type MergeResult,
  type ScopedLeaf,
  type VerifyOptions,
  type VerifyResult,
} from './merge/index.js';
export {
  BYTES_PER_TOKEN,
  decompose,
  decomposeOptionsOf,
  DEFAULT_BOUNDS,
  planId,
  type BoundFields,
} from './decompose.js';
export { listPlanFiles, requireCommit, type ListOptions, type PlanSource } from './list-files.js';
export { DEFAULT_LEAF_PROMPT, leafPrompt } from './leaf-prompt.js';
export {
  planDecomposeStepType,
  type PlanDecomposeStep,
  type PlanDecomposition,
} from './plan-decompose-step.js';
export { planLeafStepType, type LeafItem, type LeafOutput, type PlanLeafStep } from './plan-leaf-step.js';
export {
  DEFAULT_MAX_PARALLEL,
  peakOf,
  planStepType,
  type PlanLeafSummary,
  type PlanOutput,
  type PlanStep,
  type PlanStepDeps,
} from './plan-step.js';
