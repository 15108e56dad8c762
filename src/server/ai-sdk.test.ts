import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { CLAUDE_AGENT, jobAt, onlyJob, printedPid } from './chat-agents.fixture.js';
import { alive, createHarness } from './server.fixture.js';

// The AI SDK's OpenAI-compatible provider at its defaults (but its baseURL) against a real server on
// loopback; the agents are real processes (chat-agents.fixture.ts, server.fixture.ts).

const messages = [{ role: 'user' as const, content: 'the question' }];
/** The claude stand-in's tokens as the AI SDK reads them from OpenAI's usage. */
const USAGE = {
  inputTokens: 117,
  inputTokenDetails: { noCacheTokens: 17, cacheReadTokens: 100 },
  outputTokens: 34,
  totalTokens: 151,
};

async function served(settings: { includeUsage?: boolean } = {}) {
  const harness = await createHarness({ agents: { claude: CLAUDE_AGENT } });
  const { url } = await harness.listen();
  const provider = createOpenAICompatible({ name: 'flotilla', baseURL: `${url}/v1`, ...settings });
  return { harness, url, provider };
}

describe('the AI SDK: generateText', () => {
  it('answers with the usage the agent reported; x-request-id is the job GET /v1/jobs/:id finds', async () => {
    const { url, provider } = await served();
    const result = await generateText({ model: provider('claude'), messages });
    expect(result.text).toBe('answer to the question');
    expect(result.usage).toMatchObject(USAGE);
    const jobId = result.response.headers?.['x-request-id'];
    expect(result.response.id).toBe(`chatcmpl-${jobId}`);
    expect(await jobAt(url, jobId!)).toMatchObject({ agent: 'claude', status: 'succeeded' });
  });

  it('rejects an unknown model with the 404 model_not_found, not retried, and runs nothing', async () => {
    const { harness, provider } = await served();
    const failure = await generateText({ model: provider('gpt-9'), messages }).catch(
      (error: unknown) => error,
    );
    expect(APICallError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({
      statusCode: 404,
      isRetryable: false,
      data: { error: { code: 'model_not_found', type: 'invalid_request_error', param: 'model' } },
    });
    expect(harness.store.jobs.list({}).items).toEqual([]);
  });

  it('cancels the job when aborted, and its processes are gone', async () => {
    const { harness, url, provider } = await served();
    const controller = new AbortController();
    const call = generateText({ model: provider('sleepy'), messages, abortSignal: controller.signal }).catch(
      (error: unknown) => error,
    );
    const jobId = await onlyJob(harness);
    const grandchild = await printedPid(harness, jobId);
    controller.abort();
    expect(await call).toMatchObject({ name: 'AbortError' });
    await harness.reach(jobId, 'cancelled');
    expect(await jobAt(url, jobId)).toMatchObject({ status: 'cancelled' });
    expect(alive(grandchild)).toBe(false);
  });
});

describe('the AI SDK: streamText', () => {
  it('streams the answer; without includeUsage its usage is unknown, as against OpenAI', async () => {
    const { url, provider } = await served();
    const result = streamText({ model: provider('claude'), messages });
    expect(await result.text).toBe('answer to the question');
    expect((await result.usage).inputTokens).toBeUndefined();
    const jobId = (await result.response).headers?.['x-request-id'];
    expect(await jobAt(url, jobId!)).toMatchObject({ status: 'succeeded' });
  });

  it('gives the usage the agent reported with the provider’s includeUsage', async () => {
    const { provider } = await served({ includeUsage: true });
    const result = streamText({ model: provider('claude'), messages });
    expect(await result.text).toBe('answer to the question');
    expect(await result.usage).toMatchObject(USAGE);
    expect(await result.finishReason).toBe('stop');
  });
});
