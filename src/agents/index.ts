/**
 * Agent profiles, executed: a command line agent (argv with `{prompt}`, `{job_id}`, `{workspace}`, never a
 * shell) or an OpenAI-compatible endpoint; output formats that report tokens and cost; retry with backoff
 * on the provider's rate limit.
 */
export { AgentError, type AgentErrorCode } from './agent-error.js';
export { MAX_OUTPUT_BYTES } from './bounded-text.js';
export { runCliAgent } from './cli-agent.js';
export { runOpenAiAgent } from './openai-agent.js';
export { MAX_RETRY_AFTER_MS, parseRetryAfter, type ChatMessage } from './openai-http.js';
export { streamChat, type StreamChatOptions, type StreamChatRequest } from './openai-stream.js';
export { createOutputParser } from './output-parsers.js';
export { RATE_LIMIT_STATUSES } from './rate-limit.js';
export {
  backoffDelayMs,
  MAX_BACKOFF_MS,
  runAgentWithRetry,
  type AgentRetryResult,
  type RunAgentWithRetryOptions,
} from './retry.js';
export { runAgent } from './run-agent.js';
export { substituteArgv, type Placeholders } from './substitute.js';
export { idleTimeoutOf, timeoutOf } from './timeout.js';
export type {
  AgentRequest,
  AgentResult,
  AgentStatus,
  AgentUsage,
  OutputParser,
  ParsedOutput,
  RunAgentOptions,
} from './types.js';
