/** The expression language of `{{ … }}` templates: parsed once and cached, evaluated against a scope. */
export { deepEqual, stringify, type ExpressionScope, type StepView } from './expression-evaluator.js';
export { ExpressionError } from './expression-error.js';
export type { PathRoot } from './expression-parser.js';
export {
  compileTemplate,
  conditionNeverEvaluated,
  evaluateCondition,
  isSingleExpression,
  renderString,
  renderValue,
  shellTemplateProblem,
  templateReferences,
  type CompiledTemplate,
  type Reference,
  type RenderOptions,
  type ShellTemplateProblem,
} from './templates.js';
export { shellQuote, type ShellPosition } from './shell-position.js';
