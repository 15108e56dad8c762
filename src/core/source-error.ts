import type { ErrorCode } from './error-codes.js';
import { FlotillaError } from './errors.js';

/** Where one problem of a file (or of values that stand for one) is, and what it is. */
export interface SourceIssue {
  /** The whole line as printed, e.g. `flotilla.config.yaml:7:16: server.concurrency: expected …`. */
  readonly message: string;
  /** The absolute path of the file the problem is in, when it is in one. */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
  /** 1-based column in `file`. */
  readonly column?: number;
  /** The key path of the value, e.g. `server.concurrency` or `steps[2].max_concurrency`. */
  readonly path?: string;
}

/** What a `SourceError` carries besides its message: where its (first) problem is, or every problem. */
export type SourceErrorDetails<I extends SourceIssue> = Omit<I, 'message'> & {
  /** Every problem found, when there are several; the error's own fields describe the first. */
  readonly issues?: readonly I[];
  readonly cause?: unknown;
};

/**
 * An input that did not load (a config file, a workflow file) with every problem found in it at once.
 * The fields describe the first problem; `issues` lists them all, in the order they were found.
 */
export abstract class SourceError<I extends SourceIssue> extends FlotillaError {
  /** The absolute path of the file of the first problem. */
  readonly file?: string;
  /** 1-based line of the first problem. */
  readonly line?: number;
  /** 1-based column of the first problem. */
  readonly column?: number;
  /** The key path of the first problem. */
  readonly path?: string;
  /** Every problem; one when the error is not about a file's contents. */
  readonly issues: readonly I[];

  /** One problem where `details` says (or, with `details.issues`, all of them). */
  protected constructor(code: ErrorCode, message: string, details: SourceErrorDetails<I>) {
    const { issues, cause, ...where } = details;
    super(code, message, cause === undefined ? undefined : { cause });
    this.issues = issues ?? [{ message, ...where } as I];
    const first = this.issues[0];
    this.file = first?.file;
    this.line = first?.line;
    this.column = first?.column;
    this.path = first?.path;
  }

  /**
   * One error of the class it is called on (`ConfigError.of`, `WorkflowError.of`) for several problems,
   * summed up under `subject` (a file's name).
   */
  static of<E extends SourceError<I>, I extends SourceIssue>(
    this: new (message: string, details: SourceErrorDetails<I>) => E,
    subject: string,
    issues: readonly I[],
  ): E {
    return new this(describeIssues(subject, issues), { issues } as SourceErrorDetails<I>);
  }
}

/**
 * The message of an error about `issues`: a single problem is its own message; several are summed up
 * under `subject` (a file's name) on a first line, then one line each.
 */
export function describeIssues(subject: string, issues: readonly SourceIssue[]): string {
  const [first] = issues;
  if (issues.length === 1 && first !== undefined) return first.message;
  return [`${subject}: ${issues.length} problems`, ...issues.map((issue) => `  ${issue.message}`)].join('\n');
}
