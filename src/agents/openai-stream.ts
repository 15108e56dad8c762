import type { Environment, OpenAiAgentProfile } from '../config/index.js';
import { TimeoutError } from '../core/index.js';
import { AgentError } from './agent-error.js';
import { field, parseJsonObject } from './json-fields.js';
import {
  bodyExcerpt,
  chatRequest,
  describeStatus,
  parseRetryAfter,
  requestSignal,
  type ChatMessage,
} from './openai-http.js';
import { RATE_LIMIT_STATUSES } from './rate-limit.js';
import { sseData } from './sse-data.js';
import { timeoutOf } from './timeout.js';

/** A streamed chat: the conversation so far and how long the whole stream may take. */
export interface StreamChatRequest {
  readonly messages: readonly ChatMessage[];
  /**
   * Milliseconds the whole stream may take; `0` means no limit.
   * @default the profile's `timeout_s` × 1000, or no limit
   */
  readonly timeoutMs?: number;
}

/** Options of `streamChat`. */
export interface StreamChatOptions {
  /** Aborting it stops the stream, which then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Where the variable named by `api_key_env` is read.
   * @default process.env
   */
  readonly env?: Environment;
}

/**
 * Asks an OpenAI-compatible endpoint for a chat completion with `stream: true` and yields the content
 * deltas as they come (`data: {"choices":[{"delta":{"content":"…"}}]}` events, until `data: [DONE]` or
 * the end of the body). Leaving the loop early stops the request.
 *
 * @throws {AgentError} `E_AGENT_CONFIG` when the API key variable is not set; `E_AGENT_HTTP` on a non-2xx
 *   status (with `status`, `rateLimited`, `retryAfterMs`) or an `error` event in the stream.
 * @throws {TimeoutError} when the timeout passes; the signal's reason when it aborts; a `TypeError` when
 *   the endpoint cannot be reached.
 */
export async function* streamChat(
  profile: OpenAiAgentProfile,
  request: StreamChatRequest,
  options: StreamChatOptions = {},
): AsyncGenerator<string, void, undefined> {
  const { url, init } = chatRequest(profile, options.env ?? process.env, {
    messages: request.messages,
    stream: true,
  });
  options.signal?.throwIfAborted();
  const timeoutMs = timeoutOf(profile, request);
  const { signal, timedOut } = requestSignal(options.signal, timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal });
    if (!response.ok) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      throw new AgentError('E_AGENT_HTTP', describeStatus(response, await bodyExcerpt(response)), {
        status: response.status,
        rateLimited: RATE_LIMIT_STATUSES.has(response.status),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (response.body === null) return;
    for await (const data of sseData(response.body)) {
      if (data === '[DONE]') return;
      const event = parseJsonObject(data);
      const error = field(event, 'error');
      if (error !== undefined) {
        const message = field(error, 'message');
        const detail = typeof message === 'string' ? message : data;
        throw new AgentError('E_AGENT_HTTP', `The stream reported an error: ${detail}`);
      }
      const choices = field(event, 'choices');
      const content = Array.isArray(choices) ? field(field(choices[0], 'delta'), 'content') : undefined;
      if (typeof content === 'string' && content !== '') yield content;
    }
  } catch (error) {
    if (timedOut()) {
      throw new TimeoutError(`The chat stream timed out after ${timeoutMs} ms`, timeoutMs);
    }
    if (options.signal?.aborted === true) throw options.signal.reason;
    throw error;
  }
}
