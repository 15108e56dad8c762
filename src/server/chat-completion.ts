import type { JobView } from '../jobs/index.js';
import type { ChatUsage } from './chat-usage.js';

/** What every object of one completion shares. */
export interface CompletionIdentity {
  /** `chatcmpl-<job id>`: the job behind a completion can be looked up. */
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
}

/** The identity of the completion that job `job` answers. */
export function completionIdentity(job: JobView, model: string): CompletionIdentity {
  return { id: `chatcmpl-${job.id}`, created: Math.floor(Date.parse(job.created_at) / 1000), model };
}

/** The reply of a finished job: its output without the trailing newline a CLI prints. */
export function replyOf(job: JobView): string {
  const output = job.result?.output ?? job.output_tail ?? '';
  return output.replace(/\n+$/, '');
}

/** A whole `chat.completion` object. */
export function chatCompletion(identity: CompletionIdentity, content: string, usage: ChatUsage) {
  return {
    ...identity,
    object: 'chat.completion' as const,
    choices: [{ index: 0, message: { role: 'assistant' as const, content }, finish_reason: 'stop' as const }],
    usage,
  };
}

/** Options of `chatChunk`. */
export interface ChunkOptions {
  readonly finishReason?: 'stop' | null;
  /** Whether the stream ends with a usage chunk (`stream_options.include_usage`): then `usage: null`. */
  readonly includeUsage?: boolean;
}

/**
 * One `chat.completion.chunk` of a streamed completion. As OpenAI's, it has `usage: null` in a stream that
 * ends with a `usageChunk`, and no `usage` in one that does not.
 */
export function chatChunk(
  identity: CompletionIdentity,
  delta: { readonly role?: 'assistant'; readonly content?: string },
  options: ChunkOptions = {},
) {
  return {
    ...identity,
    object: 'chat.completion.chunk' as const,
    choices: [{ index: 0, delta, finish_reason: options.finishReason ?? null }],
    ...(options.includeUsage === true ? { usage: null } : {}),
  };
}

/** The last chunk of a stream that asked for usage: no choices, the whole completion's token counts. */
export function usageChunk(identity: CompletionIdentity, usage: ChatUsage) {
  return { ...identity, object: 'chat.completion.chunk' as const, choices: [], usage };
}
