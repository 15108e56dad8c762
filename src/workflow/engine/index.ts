/**
 * The engine: runs of workflows (create, drive under a lease, pause at gates, cancel, resume), the
 * executor over durable item records, and the contract a step type implements (`StepType`).
 */
export { runMarker } from './run-marker.js';
export {
  toRunSummary,
  type ItemCounts,
  type RunSummary,
  type RunView,
  type WaitingGate,
} from './run-view.js';
export { ENGINE_RUN_KINDS, type EngineRunKind } from './run-spec.js';
export { RunError, RunPausedSignal, StepError, type StepFailureStatus } from './step-error.js';
export { StepRegistry } from './step-registry.js';
export type {
  AnyStepType,
  GateDecision,
  GateRequest,
  ItemResult,
  ItemsOptions,
  ItemsOutcome,
  StepContext,
  StepNeed,
  StepServices,
  StepType,
} from './step-type.js';
export {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEASE_TTL_MS,
  type RunHandle,
  type StartOptions,
  type WorkflowEngineOptions,
} from './engine-options.js';
export { WorkflowEngine } from './workflow-engine.js';
