import type { Context } from 'hono';
import type { JobView } from '../jobs/index.js';
import type { AppDeps } from './app-deps.js';
import { chatChunk, replyOf, usageChunk, type CompletionIdentity } from './chat-completion.js';
import { chatUsageOf } from './chat-usage.js';
import { statusOf } from './error-handler.js';
import { followJobEvents } from './job-event-stream.js';
import { openAiError } from './openai-error.js';
import { ServerError } from './server-error.js';
import { sseResponse } from './sse-response.js';

/**
 * A streamed chat completion (`stream: true`): `chat.completion.chunk` messages as the job's output
 * arrives, then `data: [DONE]`.
 *
 * 1. A first chunk with `delta.role = "assistant"`.
 * 2. One content delta per line the agent prints on stdout — or, for agents whose output is structured
 *    (`claude-stream-json`, `codex-json`), the reply it yields, in one delta at the end.
 * 3. A chunk with `finish_reason: "stop"`; a failed job sends `{error}` (in OpenAI's shape, as a
 *    response's) instead.
 * 4. With `includeUsage` (`stream_options.include_usage`), a chunk with no choices and the `usage` of
 *    the whole completion, as OpenAI sends it; every chunk before it has `usage: null`.
 * 5. `data: [DONE]`.
 *
 * When the client leaves (or the server shuts down) before the end, the job is cancelled: nobody would
 * read its answer.
 */
export function streamChatCompletion(
  c: Context,
  deps: AppDeps,
  job: JobView,
  identity: CompletionIdentity,
  includeUsage = false,
): Response {
  const profile = deps.runtime.config.agents[job.agent];
  const linesAreReply = profile?.type !== 'cli' || (profile.output ?? 'text') === 'text';
  return sseResponse(c, deps, async (stream, signal) => {
    const send = (value: unknown): Promise<void> => stream.writeSSE({ data: JSON.stringify(value) });
    const chunk = (delta: { role?: 'assistant'; content?: string }, finishReason: 'stop' | null = null) =>
      send(chatChunk(identity, delta, { finishReason, includeUsage }));
    await chunk({ role: 'assistant', content: '' });
    let lines = 0;
    for await (const event of followJobEvents(deps.runtime, job.id, 0, signal)) {
      if (!linesAreReply || event.type !== 'job.log' || event.stream !== 'stdout') continue;
      await chunk({ content: lines++ === 0 ? event.line : `\n${event.line}` });
    }
    if (signal.aborted) {
      await cancelQuietly(deps, job.id);
      return;
    }
    const done = await deps.runtime.jobs.get(job.id);
    if (done?.status !== 'succeeded') {
      const error = jobFailure(deps, job.id, done);
      await send({ error: openAiError(error, statusOf(error)) });
    } else {
      if (!linesAreReply) await chunk({ content: replyOf(done) });
      await chunk({}, 'stop');
      if (includeUsage) await send(usageChunk(identity, chatUsageOf(done, profile)));
    }
    await stream.writeSSE({ data: '[DONE]' });
  });
}

/**
 * The error a chat request answers when its job did not succeed (424, not retried: the agent failed).
 * The operator hears of it as one line: an agent's failure is an outcome of the work, not a server fault.
 */
export function jobFailure(
  deps: Pick<AppDeps, 'onServerLog'>,
  id: string,
  job: JobView | undefined,
): ServerError {
  const status = job?.status ?? 'gone';
  const reason = job?.error === null || job?.error === undefined ? '' : `: ${job.error}`;
  deps.onServerLog?.('info', `chat job ${id} ${status}${reason}`);
  return new ServerError('E_AGENT_FAILED', `The agent's job ${id} ended ${status}${reason}`);
}

/** Cancels a job whose answer nobody will read; a failure to cancel is not the client's concern. */
export async function cancelQuietly(deps: AppDeps, id: string): Promise<void> {
  try {
    await deps.runtime.jobs.cancel(id);
  } catch (error) {
    deps.onServerFault?.(error);
  }
}
