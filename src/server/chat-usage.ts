import type { AgentUsage } from '../agents/index.js';
import type { AgentProfile } from '../config/index.js';
import type { JobView } from '../jobs/index.js';

/** Token counts in OpenAI's shape. */
export interface ChatUsage {
  /** Every input token, the cached ones included (OpenAI counts them there). */
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  /** Present when the agent told its cache reads. */
  readonly prompt_tokens_details?: { readonly cached_tokens: number };
}

/**
 * The job's token counts as OpenAI reports them, read from what the agent's output told (its profile's
 * `output`: the `result` line of `claude-stream-json`, the `turn.completed` lines of `codex-json`, the
 * `usage` of an `openai` endpoint); zeros when it told nothing (a `text` agent).
 */
export function chatUsageOf(job: JobView, profile: AgentProfile | undefined): ChatUsage {
  const usage = job.result?.usage;
  if (usage === undefined) return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const prompt = usage.inputTokens + (countsCacheApart(profile) ? cacheTokens(usage) : 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.outputTokens,
    total_tokens: prompt + usage.outputTokens,
    ...(usage.cacheReadTokens === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: usage.cacheReadTokens } }),
  };
}

/**
 * Whether the agent's input count leaves out its cache reads and writes: Claude's `input_tokens` does,
 * so OpenAI's `prompt_tokens` adds them (otherwise a cached prompt would look nearly free of input);
 * Codex and OpenAI endpoints count them in already.
 */
function countsCacheApart(profile: AgentProfile | undefined): boolean {
  return profile?.type === 'cli' && profile.output === 'claude-stream-json';
}

function cacheTokens(usage: AgentUsage): number {
  return (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
}
