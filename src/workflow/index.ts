/**
 * Workflows: the YAML file format (loading, validation with `file:line:col` errors), the expression
 * language of `{{ … }}` templates, and a run's inputs.
 */
export type {
  AgentStep,
  CustomStep,
  FanInStep,
  FanOutStep,
  GateStep,
  IfStep,
  InputDefinition,
  InputType,
  OutputFormat,
  ShellStep,
  SourceLocation,
  StepBase,
  StepDefinition,
  WorkflowDefinition,
} from './definition.js';
export {
  compileTemplate,
  evaluateCondition,
  isSingleExpression,
  renderString,
  renderValue,
  shellQuote,
  templateReferences,
  type CompiledTemplate,
  type ExpressionScope,
  type PathRoot,
  type Reference,
  type RenderOptions,
  type StepView,
} from './expressions.js';
export { parseInputAssignments, resolveInputs, type ResolveInputsOptions } from './inputs.js';
export {
  loadWorkflowFile,
  parseWorkflow,
  type LoadWorkflowOptions,
  type ParseWorkflowOptions,
} from './load-workflow.js';
export type { NestedSteps, StepSchema } from './step-schema.js';
export { BUILTIN_STEP_SCHEMAS } from './step-schemas.js';
export {
  ExpressionError,
  WorkflowError,
  WorkflowInputError,
  type WorkflowErrorDetails,
  type WorkflowIssue,
} from './workflow-error.js';
// The engine's API as the CLI and the server use it (added for `flotilla run`/`runs` and `/v1/runs`).
export {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEASE_TTL_MS,
  WorkflowEngine,
  type RunHandle,
  type StartOptions,
  type WorkflowEngineOptions,
} from './workflow-engine.js';
export type { ItemCounts, RunSummary, RunView, WaitingGate } from './run-view.js';
export { RunError, StepError, type StepFailureStatus } from './step-error.js';
export type { GateDecision, GateRequest, StepContext, StepType } from './step-type.js';
