import { FlotillaError } from '../core/index.js';

/** Where one problem of a workflow file is, and what it is. */
export interface WorkflowIssue {
  /**
   * The whole line as printed, e.g.
   * `build.yaml:12:22: steps[2] (build).max_concurrency: expected an integer ≥ 1, got "4"`.
   */
  readonly message: string;
  /** The absolute path of the file, when the workflow came from one. */
  readonly file?: string;
  /** 1-based line in the file. */
  readonly line?: number;
  /** 1-based column in the file. */
  readonly column?: number;
  /** The YAML path, e.g. `steps[2].max_concurrency` or `steps[0].step.run[1]`. */
  readonly path?: string;
  /** The id of the step the problem is in, when it is in one. */
  readonly step?: string;
}

/** What a `WorkflowError` carries besides its message. */
export interface WorkflowErrorDetails extends Omit<WorkflowIssue, 'message'> {
  /** Every problem found, when there are several; the error's own fields describe the first. */
  readonly issues?: readonly WorkflowIssue[];
  readonly cause?: unknown;
}

/**
 * A workflow file is invalid (or missing, or not YAML); nothing ran. The message names the file, line and
 * column, the YAML path with the step's id, what was expected and what was found. The fields describe the
 * first problem; `issues` lists them all, in file order.
 */
export class WorkflowError extends FlotillaError {
  /** The absolute path of the file of the first problem. */
  readonly file?: string;
  /** 1-based line of the first problem. */
  readonly line?: number;
  /** 1-based column of the first problem. */
  readonly column?: number;
  /** The YAML path of the first problem, e.g. `steps[2].max_concurrency`. */
  readonly path?: string;
  /** The id of the step of the first problem. */
  readonly step?: string;
  /** Every problem; one when the error is not about a file's contents. */
  readonly issues: readonly WorkflowIssue[];

  constructor(message: string, details: WorkflowErrorDetails = {}) {
    super('E_WORKFLOW_INVALID', message, details.cause === undefined ? undefined : { cause: details.cause });
    const { issues, cause: _cause, ...where } = details;
    this.issues = issues ?? [{ message, ...where }];
    const first = this.issues[0] ?? where;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.path = first.path;
    this.step = first.step;
  }

  /**
   * One error for several problems: the first line sums them up under `subject` (the file's name), then
   * one line each. A single problem is its own message.
   */
  static of(subject: string, issues: readonly WorkflowIssue[]): WorkflowError {
    const [first] = issues;
    if (issues.length === 1 && first !== undefined) return new WorkflowError(first.message, { issues });
    const lines = issues.map((issue) => `  ${issue.message}`);
    return new WorkflowError([`${subject}: ${issues.length} problems`, ...lines].join('\n'), { issues });
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

/**
 * An expression (`{{ … }}`) does not parse, or cannot be evaluated (`<` between a number and a string, a
 * filter given the wrong kind of value). At load time the loader turns it into a `WorkflowError` naming
 * the file; at run time it fails the step that rendered it.
 */
export class ExpressionError extends FlotillaError {
  /** 1-based column in the template text (the whole string, `{{` and all) where the problem is. */
  readonly column: number;

  constructor(message: string, column: number, options?: { cause?: unknown }) {
    super('E_EXPRESSION', message, options);
    this.column = column;
  }
}
