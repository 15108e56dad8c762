import { FlotillaError } from '../../core/index.js';

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
