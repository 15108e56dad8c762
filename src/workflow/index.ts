/**
 * Workflows, in four rooms that import one way (expressions ← format ← engine ← steps):
 * - `expressions/`: the `{{ … }}` language;
 * - `format/`: the YAML file, its model and its validation with `file:line:col` errors;
 * - `engine/`: runs (durable, resumable), the executor and the `StepType` contract;
 * - `steps/`: the built-in step types.
 */
export {
  BUILTIN_STEP_SCHEMAS,
  loadWorkflowFile,
  parseInputAssignments,
  parseWorkflow,
  resolveInputs,
  WorkflowError,
  WorkflowInputError,
  type AgentStep,
  type CustomStep,
  type FanInStep,
  type FanOutStep,
  type GateStep,
  type IfStep,
  type InputDefinition,
  type InputType,
  type LoadWorkflowOptions,
  type NestedSteps,
  type OutputFormat,
  type ParseWorkflowOptions,
  type ResolveInputsOptions,
  type ShellStep,
  type SourceLocation,
  type StepBase,
  type StepDefinition,
  type StepSchema,
  type WorkflowDefinition,
  type WorkflowErrorDetails,
  type WorkflowIssue,
} from './format/index.js';
export {
  compileTemplate,
  evaluateCondition,
  ExpressionError,
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
} from './expressions/index.js';
export {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEASE_TTL_MS,
  RunError,
  StepError,
  WorkflowEngine,
  type GateDecision,
  type GateRequest,
  type ItemCounts,
  type RunHandle,
  type RunSummary,
  type RunView,
  type StartOptions,
  type StepContext,
  type StepFailureStatus,
  type StepType,
  type WaitingGate,
  type WorkflowEngineOptions,
} from './engine/index.js';
export { BUILTIN_STEP_TYPES } from './steps/index.js';
