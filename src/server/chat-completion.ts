import type { JobView } from '../jobs/index.js';

/** Token counts in OpenAI's shape. */
export interface ChatUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

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

/** The job's token counts as OpenAI reports them (zeros when the agent's output format tells none). */
export function usageOf(job: JobView): ChatUsage {
  const prompt = job.result?.usage?.inputTokens ?? 0;
  const completion = job.result?.usage?.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
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

/** One `chat.completion.chunk` of a streamed completion. */
export function chatChunk(
  identity: CompletionIdentity,
  delta: { readonly role?: 'assistant'; readonly content?: string },
  finishReason: 'stop' | null = null,
  usage?: ChatUsage,
) {
  return {
    ...identity,
    object: 'chat.completion.chunk' as const,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
    ...(usage === undefined ? {} : { usage }),
  };
}
