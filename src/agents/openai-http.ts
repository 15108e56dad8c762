import type { Environment, OpenAiAgentProfile } from '../config/index.js';
import { NEVER_ABORTED } from '../core/index.js';
import { AgentError } from './agent-error.js';

/** A message of an OpenAI chat completion request. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** The longest `Retry-After` honoured (5 minutes); a longer one is cut to it. */
export const MAX_RETRY_AFTER_MS = 300_000;
/** How much of an error response's body an error message quotes. */
export const ERROR_BODY_EXCERPT_CHARS = 500;

/**
 * The URL and headers of a chat completions request to the profile's endpoint: `POST
 * {base_url}/chat/completions`, with `Authorization: Bearer <key>` when the profile names `api_key_env`.
 *
 * @throws {AgentError} `E_AGENT_CONFIG` when `api_key_env` names a variable that is not set (or is empty).
 */
export function chatRequest(
  profile: OpenAiAgentProfile,
  env: Environment,
  body: Record<string, unknown>,
): { url: string; init: RequestInit } {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: body.stream === true ? 'text/event-stream' : 'application/json',
  };
  if (profile.api_key_env !== undefined) {
    const key = env[profile.api_key_env];
    if (key === undefined || key === '') {
      throw new AgentError(
        'E_AGENT_CONFIG',
        `The agent's api_key_env names ${profile.api_key_env}, which is not set`,
      );
    }
    headers.authorization = `Bearer ${key}`;
  }
  const url = `${profile.base_url.replace(/\/+$/, '')}/chat/completions`;
  return { url, init: { method: 'POST', headers, body: JSON.stringify({ model: profile.model, ...body }) } };
}

/** A signal that aborts with the caller's `signal` or after `timeoutMs` (`0`: never), and which did. */
export function requestSignal(
  signal: AbortSignal | undefined,
  timeoutMs: number,
): { signal: AbortSignal; timedOut: () => boolean } {
  const caller = signal ?? NEVER_ABORTED;
  if (timeoutMs === 0) return { signal: caller, timedOut: () => false };
  const timeout = AbortSignal.timeout(timeoutMs);
  return { signal: AbortSignal.any([caller, timeout]), timedOut: () => timeout.aborted && !caller.aborted };
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds: seconds (fractions accepted) or an HTTP
 * date; `undefined` when absent or unreadable; at most `MAX_RETRY_AFTER_MS`.
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

/** The start of a response body, for an error message; `""` when it cannot be read. */
export async function bodyExcerpt(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.length > ERROR_BODY_EXCERPT_CHARS ? `${text.slice(0, ERROR_BODY_EXCERPT_CHARS)}…` : text;
  } catch {
    return '';
  }
}

/** `HTTP 429 Too Many Requests: <body excerpt>` */
export function describeStatus(response: Response, excerpt: string): string {
  const status = `HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
  return excerpt === '' ? status : `${status}: ${excerpt}`;
}
