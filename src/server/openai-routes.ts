import { Hono } from 'hono';
import type { JobView } from '../jobs/index.js';
import type { AppDeps } from './app-deps.js';
import { chatCompletion, completionIdentity, replyOf } from './chat-completion.js';
import { parseChatRequest, renderPrompt } from './chat-request.js';
import { cancelQuietly, jobFailure, streamChatCompletion } from './chat-stream.js';
import { chatUsageOf } from './chat-usage.js';
import { modelNotFound, modelObject } from './openai-models.js';
import { readJson } from './request-body.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { ServerError } from './server-error.js';

/**
 * The OpenAI-compatible surface: `GET /v1/models` lists the agent profiles, `GET /v1/models/{id}` gives
 * one (404 `model_not_found` for another name), and `POST /v1/chat/completions` runs the conversation
 * as a job of the agent that `model` names. The job waits for a slot like any other (never 503); a full
 * queue is 429. A chat's `x-request-id` is its job's id.
 */
export function openAiRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const startedAt = Math.floor(Date.now() / 1000);

  app.get('/v1/models', (c) =>
    c.json({
      object: 'list',
      data: Object.keys(deps.runtime.config.agents).map((id) => modelObject(id, startedAt)),
    }),
  );

  // `{.+}`: a profile's name may hold a `/`, which the SDK sends encoded and a client may send as it is.
  app.get('/v1/models/:id{.+}', (c) => {
    const id = c.req.param('id');
    const { config } = deps.runtime;
    if (!Object.hasOwn(config.agents, id)) throw modelNotFound(id, config);
    return c.json(modelObject(id, startedAt));
  });

  app.post('/v1/chat/completions', async (c) => {
    const request = parseChatRequest(await readJson(c), deps.runtime.config);
    const job = await deps.runtime.jobs.submit({
      agent: request.model,
      prompt: renderPrompt(request.messages),
      metadata: { source: 'chat.completions', ...(request.user === undefined ? {} : { user: request.user }) },
    });
    // The id a user quotes is one GET /v1/jobs/:id finds, answer or error (a failed agent's 424 too).
    c.header(REQUEST_ID_HEADER, job.id);
    const identity = completionIdentity(job, request.model);
    if (request.stream === true) {
      const includeUsage = request.stream_options?.include_usage === true;
      return streamChatCompletion(c, deps, job, identity, includeUsage);
    }

    const signals = [c.req.raw.signal, ...(deps.signal === undefined ? [] : [deps.signal])];
    let done: JobView | undefined;
    try {
      done = await deps.runtime.jobs.wait(job.id, AbortSignal.any(signals));
    } catch (error) {
      await cancelQuietly(deps, job.id);
      // A client that hung up and a server that stops are expected; what else failed the wait is a fault.
      if (c.req.raw.signal.aborted) {
        throw new ServerError(
          'E_CLIENT_GONE',
          `The client went away before chat job ${job.id} ended; the job was cancelled`,
          { cause: error },
        );
      }
      if (deps.signal?.aborted !== true) throw error;
      throw new ServerError('E_SERVER_STATE', 'The request ended before its job did', { cause: error });
    }
    if (done?.status !== 'succeeded') throw jobFailure(deps, job.id, done);
    const usage = chatUsageOf(done, deps.runtime.config.agents[done.agent]);
    return c.json(chatCompletion(identity, replyOf(done), usage));
  });

  return app;
}
