/**
 * The planner's merge (docs/plan.md, "Merging the leaves"): the leaves' diffs as commits on one result
 * branch, with conflicts and scope violations reported, and the result verified in a throwaway worktree.
 */
export {
  mergeLeaves,
  type LeafChange,
  type MergeConflict,
  type MergeOptions,
  type MergeResult,
} from './merge.js';
export { claimBranch, RUN_TRAILER, type BranchClaim } from './branch.js';
export { commitOnBranch, type BranchCommitOptions, type BranchCommitResult } from './commit-on-branch.js';
export { scopeViolations, type ScopedLeaf } from './scope.js';
export { VERIFY_TAIL_LINES, verifyResult, type VerifyOptions, type VerifyResult } from './verify.js';
