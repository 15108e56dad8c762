import { FlotillaError, type ErrorCode } from '../core/index.js';

/**
 * The codes an `AgentError` carries:
 * - `E_AGENT_CONFIG`: the profile cannot run as configured (a missing API key variable, an empty command,
 *   a bad `${VAR}`).
 * - `E_AGENT_REQUEST`: the request cannot be given to the agent (a prompt or id with a NUL character in an
 *   argv).
 * - `E_AGENT_HTTP`: an OpenAI-compatible endpoint answered a streamed request with an error status.
 */
export type AgentErrorCode = Extract<ErrorCode, 'E_AGENT_CONFIG' | 'E_AGENT_REQUEST' | 'E_AGENT_HTTP'>;

/**
 * An agent could not be run at all, or (for `streamChat`) its endpoint refused the request. A run that
 * started and then failed is not an error: it is an `AgentResult` with `status: 'failed'`.
 */
export class AgentError extends FlotillaError {
  declare readonly code: AgentErrorCode;
  /** The HTTP status of an `E_AGENT_HTTP` error. */
  readonly status: number | undefined;
  /** Whether an `E_AGENT_HTTP` status means the provider's rate limit (429, 503, 529). */
  readonly rateLimited: boolean;
  /** The wait the endpoint asked for in its `Retry-After` header, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: AgentErrorCode,
    message: string,
    options: { cause?: unknown; status?: number; rateLimited?: boolean; retryAfterMs?: number } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.rateLimited = options.rateLimited ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}
