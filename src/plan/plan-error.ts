import { FlotillaError } from '../core/index.js';

/**
 * The codes a `PlanError` carries:
 * - `E_INVALID_ARGUMENT`: a bound, the task, the folder or the ref is not what the planner can use
 *   (`--max-files 0`, an empty task, a missing folder, a ref that names no commit, a plan that runs jobs
 *   over a folder outside any git repository — a dry run works on any folder); nothing was planned.
 * - `E_REPO_UNAVAILABLE`: git could not list the files of a commit it had just named.
 * - `E_PLAN_BRANCH_EXISTS`: the result branch `flotilla/plan-<id>` is already in the repository and was
 *   made by another run; nothing was changed.
 */
export type PlanErrorCode = 'E_INVALID_ARGUMENT' | 'E_REPO_UNAVAILABLE' | 'E_PLAN_BRANCH_EXISTS';

/** The planner refused its input or its repository; nothing was started. */
export class PlanError extends FlotillaError {
  declare readonly code: PlanErrorCode;

  /** @param field the flag or step field at fault (`max_files`), when one is. */
  constructor(
    code: PlanErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
