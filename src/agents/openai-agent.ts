import type { OpenAiAgentProfile } from '../config/index.js';
import { stopwatch } from '../core/index.js';
import { DEFAULT_TAIL_LINES } from '../exec/index.js';
import { BoundedText } from './bounded-text.js';
import { field, numberField } from './json-fields.js';
import { bodyExcerpt, chatRequest, describeStatus, parseRetryAfter, requestSignal } from './openai-http.js';
import { matchesOutputPattern, RATE_LIMIT_STATUSES } from './rate-limit.js';
import { timeoutOf } from './timeout.js';
import type { AgentRequest, AgentResult, AgentUsage, RunAgentOptions } from './types.js';

/** What one request to the endpoint came to, before its lines are given to `onLine`. */
type Exchange =
  | { readonly kind: 'answer'; readonly content: string; readonly usage: AgentUsage | undefined }
  | {
      readonly kind: 'refused';
      readonly status: number;
      readonly error: string;
      readonly rateLimited: boolean;
      readonly retryAfterMs: number | undefined;
    }
  | { readonly kind: 'stopped'; readonly status: 'cancelled' | 'timed_out'; readonly error: string }
  | { readonly kind: 'broken'; readonly error: string };

/**
 * Runs an OpenAI-compatible agent once: `POST {base_url}/chat/completions` with the prompt as the one user
 * message and `stream: false`. The output is `choices[0].message.content` (also given to `onLine` line by
 * line, as `stdout`); usage comes from `usage.prompt_tokens`, `usage.completion_tokens` and
 * `usage.prompt_tokens_details.cached_tokens`. A non-2xx status fails the run with the status and the
 * start of the body; 429, 503 and 529 (or a body with one of the profile's `on_output` patterns) mark it
 * `rateLimited`, with the `Retry-After` wait when there is one.
 *
 * The key is read from `options.env` (default `process.env`) with the job's `env` over it.
 *
 * @throws {AgentError} `E_AGENT_CONFIG` when `api_key_env` names a variable that is not set.
 * @throws the signal's reason when it is already aborted.
 */
export async function runOpenAiAgent(
  profile: OpenAiAgentProfile,
  request: AgentRequest,
  options: RunAgentOptions = {},
): Promise<AgentResult> {
  const env = { ...(options.env ?? process.env), ...request.env };
  const { url, init } = chatRequest(profile, env, {
    messages: [{ role: 'user', content: request.prompt }],
    stream: false,
  });
  options.signal?.throwIfAborted();
  const timeoutMs = timeoutOf(profile, request);
  const elapsed = stopwatch();
  const exchange = await exchangeOnce(url, init, options.signal, timeoutMs, profile);
  const durationMs = elapsed();
  const base = { exitCode: null, signal: null, durationMs } as const;

  // Lines go to `onLine` outside the request's error handling: if it throws, `runAgent` rejects.
  if (exchange.kind !== 'answer') {
    options.onLine?.('stderr', exchange.error);
    const failure = exchange.kind === 'stopped' ? exchange.status : 'failed';
    return {
      ...base,
      status: failure,
      tail: [exchange.error],
      output: '',
      rateLimited: exchange.kind === 'refused' && exchange.rateLimited,
      ...(exchange.kind === 'refused' ? { httpStatus: exchange.status } : {}),
      ...(exchange.kind === 'refused' && exchange.retryAfterMs !== undefined
        ? { retryAfterMs: exchange.retryAfterMs }
        : {}),
      error: exchange.error,
    };
  }
  const lines = exchange.content.split(/\r?\n/);
  for (const line of lines) options.onLine?.('stdout', line);
  const output = new BoundedText();
  for (const line of lines) output.push(line);
  return {
    ...base,
    status: 'succeeded',
    tail: lines.slice(-DEFAULT_TAIL_LINES),
    output: output.toString(),
    ...(exchange.usage === undefined ? {} : { usage: exchange.usage }),
    rateLimited: false,
    httpStatus: 200,
  };
}

async function exchangeOnce(
  url: string,
  init: RequestInit,
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
  profile: OpenAiAgentProfile,
): Promise<Exchange> {
  const { signal, timedOut } = requestSignal(callerSignal, timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal });
    if (!response.ok) {
      const excerpt = await bodyExcerpt(response);
      return {
        kind: 'refused',
        status: response.status,
        error: describeStatus(response, excerpt),
        rateLimited: RATE_LIMIT_STATUSES.has(response.status) || matchesOutputPattern(excerpt, profile.retry),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      };
    }
    const body: unknown = await response.json();
    const choices = field(body, 'choices');
    const content = Array.isArray(choices) ? field(field(choices[0], 'message'), 'content') : undefined;
    if (typeof content !== 'string') {
      return { kind: 'broken', error: 'The response has no choices[0].message.content' };
    }
    return { kind: 'answer', content, usage: chatUsage(field(body, 'usage')) };
  } catch (error) {
    if (timedOut()) return { kind: 'stopped', status: 'timed_out', error: `timed out after ${timeoutMs} ms` };
    if (callerSignal?.aborted === true) return { kind: 'stopped', status: 'cancelled', error: 'cancelled' };
    return { kind: 'broken', error: describeError(error) };
  }
}

function chatUsage(usage: unknown): AgentUsage | undefined {
  const inputTokens = numberField(usage, 'prompt_tokens');
  const outputTokens = numberField(usage, 'completion_tokens');
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const cacheReadTokens = numberField(field(usage, 'prompt_tokens_details'), 'cached_tokens');
  return {
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    ...(cacheReadTokens === undefined ? {} : { cacheReadTokens }),
  };
}

/** `fetch failed: connect ECONNREFUSED 127.0.0.1:1` — the message with its cause's, which says why. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
