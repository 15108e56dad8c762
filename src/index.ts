/**
 * Flotilla's public API. Everything a library user may import is named here; nothing else is public.
 */
export {
  CancelledError,
  Frontier,
  FlotillaError,
  HaltedError,
  hasCode,
  InvalidArgumentError,
  KeyedRateLimiter,
  Limiter,
  mapOrdered,
  QueueFullError,
  TimeoutError,
  type FrontierEntry,
  type FrontierOptions,
  type FrontierStats,
  type KeyedRateLimiterOptions,
  type LimiterOptions,
  type LimiterStats,
  type MapOrderedOptions,
  type MapOrderedResult,
  type RunOptions,
  type Settled,
  type Task,
} from './core/index.js';
export {
  EventBus,
  formatSseMessage,
  JsonlSink,
  SseSink,
  type FlotillaEvent,
  type FlotillaEventType,
  type ItemStatus,
  type JobStatus,
  type RunStatus,
  type SequencedEvent,
} from './events/index.js';
export {
  runProcess,
  SpawnError,
  terminateProcessGroup,
  type ProcessResult,
  type RunProcessOptions,
} from './exec/index.js';
export {
  ConfigError,
  loadConfig,
  type AgentProfile,
  type ConfigOverrides,
  type FlotillaConfig,
  type LoadConfigOptions,
  type RepoConfig,
  type ResolvedConfig,
  type ServerConfig,
} from './config/index.js';
export {
  openStore,
  Store,
  StoreError,
  type JobRecord,
  type Page,
  type RunItemRecord,
  type RunRecord,
  type StoreLocation,
  type StoreOptions,
} from './store/index.js';
export {
  WorkspaceError,
  WorkspaceManager,
  type Workspace,
  type WorkspaceChange,
  type WorkspaceManagerOptions,
  type WorkspaceRequest,
} from './workspace/index.js';
export {
  runAgent,
  runAgentWithRetry,
  streamChat,
  AgentError,
  type AgentRequest,
  type AgentResult,
  type AgentUsage,
} from './agents/index.js';
export {
  JobRequestError,
  JobService,
  parseJobRequest,
  type JobRequest,
  type JobResult,
  type JobServiceOptions,
  type JobView,
} from './jobs/index.js';
export {
  loadWorkflowFile,
  parseWorkflow,
  RunError,
  StepError,
  WorkflowEngine,
  WorkflowError,
  WorkflowInputError,
  type GateDecision,
  type GateRequest,
  type RunHandle,
  type RunSummary,
  type RunView,
  type StepContext,
  type StepDefinition,
  type StepType,
  type WorkflowDefinition,
  type WorkflowEngineOptions,
} from './workflow/index.js';
export { createApp, startServer, ServerError } from './server/index.js';
