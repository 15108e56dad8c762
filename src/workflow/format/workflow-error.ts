import { FlotillaError, SourceError, type SourceErrorDetails, type SourceIssue } from '../../core/index.js';

/** Where one problem of a workflow file is, and what it is. */
export interface WorkflowIssue extends SourceIssue {
  /** The YAML path, e.g. `steps[2].max_concurrency` or `steps[0].step.run[1]`. */
  readonly path?: string;
  /** The id of the step the problem is in, when it is in one. */
  readonly step?: string;
}

/** What a `WorkflowError` carries besides its message. */
export type WorkflowErrorDetails = SourceErrorDetails<WorkflowIssue>;

/**
 * A workflow file is invalid (or missing, or not YAML); nothing ran. The message names the file, line and
 * column, the YAML path with the step's id, what was expected and what was found (for example
 * `build.yaml:12:22: steps[2] (build).max_concurrency: expected an integer ≥ 1, got "4"`). The fields
 * describe the first problem; `issues` lists them all, in file order.
 */
export class WorkflowError extends SourceError<WorkflowIssue> {
  /** The id of the step of the first problem. */
  readonly step?: string;

  constructor(message: string, details: WorkflowErrorDetails = {}) {
    super('E_WORKFLOW_INVALID', message, details);
    this.step = this.issues[0]?.step;
  }
}

/**
 * The inputs given to a workflow do not fit its declaration: an unknown name, a value of the wrong type or
 * outside its `enum`, a required input missing, or a malformed `--input k=v`. Nothing ran.
 */
export class WorkflowInputError extends FlotillaError {
  /** The input the (first) problem is about, when there is one. */
  readonly input?: string;

  constructor(message: string, input?: string, options?: { cause?: unknown }) {
    super('E_WORKFLOW_INPUT', message, options);
    this.input = input;
  }
}
