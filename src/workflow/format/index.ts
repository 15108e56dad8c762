/**
 * The workflow file format: the model (`definition.ts`), the schemas of the file and of the built-in step
 * types, and the loader that reports every problem with `file:line:col`.
 */
export type {
  AgentStep,
  CommandStep,
  CustomStep,
  FanInStep,
  FanOutStep,
  GateStep,
  IfStep,
  InputDefinition,
  InputType,
  LoopStep,
  OnReject,
  OutputFormat,
  PromptStep,
  ShellStep,
  SourceLocation,
  StepBase,
  StepDefinition,
  SwitchStep,
  WorkflowDefinition,
  WorkflowRequires,
} from './definition.js';
export { knownProfiles, profileProblem } from './agent-profiles.js';
export { parseInputAssignments, resolveInputs, type ResolveInputsOptions } from './inputs.js';
export {
  loadWorkflowFile,
  parseWorkflow,
  type LoadWorkflowOptions,
  type ParseWorkflowOptions,
} from './load-workflow.js';
export type { NestedSteps, StepSchema } from './step-schema.js';
export { BUILTIN_STEP_SCHEMAS, DEFAULT_MAX_ITERATIONS, REJECT_CHOICES } from './step-schemas.js';
export {
  WorkflowError,
  WorkflowInputError,
  type WorkflowErrorDetails,
  type WorkflowIssue,
} from './workflow-error.js';
export { count, flag, literalOr, mapping, seconds, stepFields, stringList, text } from './workflow-schema.js';
