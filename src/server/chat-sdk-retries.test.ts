import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, streamText } from 'ai';
import OpenAI, { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createHarness, matching, type Harness } from './server.fixture.js';

// The OpenAI and AI SDKs with their default retry settings, against a real server: a chat whose agent
// fails must run its agent once, however the client asks; a full queue must still be retried.

type Fetch = typeof globalThis.fetch;

/** The number of jobs of `agent` the server has made. */
async function jobsOf(url: string, agent: string): Promise<number> {
  const response = await fetch(`${url}/v1/jobs?limit=100`);
  const { items } = (await response.json()) as { items: { agent: string }[] };
  return items.filter((job) => job.agent === agent).length;
}

function openAi(url: string, fetchOverride?: Fetch): OpenAI {
  return new OpenAI({
    baseURL: `${url}/v1`,
    apiKey: 'unused',
    ...(fetchOverride === undefined ? {} : { fetch: fetchOverride }),
  });
}

function aiProvider(url: string, fetchOverride?: Fetch) {
  return createOpenAICompatible({
    name: 'flotilla',
    baseURL: `${url}/v1`,
    ...(fetchOverride === undefined ? {} : { fetch: fetchOverride }),
  });
}

const messages = [{ role: 'user' as const, content: 'do it' }];

describe('a chat whose agent fails, through the SDKs at their defaults', () => {
  it('openai: rejects with the agent’s failure, and the agent ran once', async () => {
    const harness = await createHarness();
    const { url } = await harness.listen();
    const failure = await openAi(url)
      .chat.completions.create({ model: 'fail', messages })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(await jobsOf(url, 'fail')).toBe(1);
    expect(failure).toBeInstanceOf(APIError);
    expect(failure).toMatchObject({
      status: 424,
      code: 'E_AGENT_FAILED',
      message: matching(/^424 The agent's job job_\w+ ended failed: the agent exited with code 3$/),
    });
  });

  it('ai: rejects with the agent’s failure, and the agent ran once', async () => {
    const harness = await createHarness();
    const { url } = await harness.listen();
    const failure = await generateText({ model: aiProvider(url)('fail'), messages }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(await jobsOf(url, 'fail')).toBe(1);
    expect(APICallError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({
      statusCode: 424,
      isRetryable: false,
      message: matching(/^The agent's job job_\w+ ended failed: the agent exited with code 3$/),
    });
  });

  it('openai, streamed: the stream throws the agent’s failure, and the agent ran once', async () => {
    const harness = await createHarness();
    const { url } = await harness.listen();
    const stream = await openAi(url).chat.completions.create({ model: 'fail', messages, stream: true });
    const failure = await (async () => {
      for await (const _chunk of stream);
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(APIError);
    // In OpenAI's shape, as a response's error is.
    expect(failure).toMatchObject({
      code: 'E_AGENT_FAILED',
      type: 'server_error',
      error: { flotilla_code: 'E_AGENT_FAILED' },
      message: matching('the agent exited with code 3'),
    });
    expect(await jobsOf(url, 'fail')).toBe(1);
  });

  it('ai, streamed: the stream ends with the agent’s failure, and the agent ran once', async () => {
    const harness = await createHarness();
    const { url } = await harness.listen();
    const errors: unknown[] = [];
    const result = streamText({
      model: aiProvider(url)('fail'),
      messages,
      onError: ({ error }) => void errors.push(error),
    });
    const parts: { type: string; error?: unknown }[] = [];
    for await (const part of result.fullStream) parts.push(part);
    const failures = parts.filter((part) => part.type === 'error');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toMatchObject({
      code: 'E_AGENT_FAILED',
      message: matching('the agent exited with code 3'),
    });
    expect(parts.find((part) => part.type === 'finish')).toMatchObject({ finishReason: 'error' });
    expect(await jobsOf(url, 'fail')).toBe(1);
  });
});

describe('a full queue, through the SDKs at their defaults', () => {
  /**
   * A server whose one slot is busy and whose queue (of one) is full, and a `fetch` that records the
   * statuses the SDK gets (and the first refusal's `Retry-After` and error). On the first 429 it lets the busy job finish and waits until the queue has
   * room before the SDK sees the answer, so that its retry (after `Retry-After`) is accepted.
   */
  async function fullQueue(): Promise<{
    harness: Harness;
    url: string;
    statuses: number[];
    refusal: { retryAfter: string | null; body: unknown };
    fetch: Fetch;
  }> {
    const harness = await createHarness({ concurrency: 1, maxQueue: 1 });
    const { url } = await harness.listen();
    // One short job that succeeded makes `Retry-After` the minimum, 1 s, instead of a guess of 5 s.
    const warm = await harness.jobs.submit({ agent: 'echo', prompt: 'warm up' });
    await harness.reach(warm.id, 'succeeded');
    const blocker = await harness.jobs.submit({ agent: 'hold', prompt: 'busy' });
    await harness.reach(blocker.id, 'running');
    await harness.jobs.submit({ agent: 'echo', prompt: 'queued' });
    expect(harness.jobs.health().queued).toBe(1);

    const statuses: number[] = [];
    const refusal = { retryAfter: null as string | null, body: undefined as unknown };
    const recording: Fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      if (response.status === 429 && statuses.length === 1) {
        refusal.retryAfter = response.headers.get('retry-after');
        refusal.body = await response.clone().json();
        harness.release(blocker.id);
        await harness.reach(blocker.id, 'succeeded');
        while (harness.jobs.health().queued > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return response;
    };
    return { harness, url, statuses, refusal, fetch: recording };
  }

  it('openai: retries the 429 after its Retry-After and gets the answer', async () => {
    const { url, statuses, refusal, fetch } = await fullQueue();
    const completion = await openAi(url, fetch).chat.completions.create({ model: 'echo', messages });
    expect(statuses).toEqual([429, 200]);
    expect(refusal).toEqual({
      retryAfter: '1',
      body: {
        error: {
          message: matching('queue'),
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
          flotilla_code: 'E_QUEUE_FULL',
        },
      },
    });
    // The answer's id is the job that ran at last: the refused try made none.
    expect(completion._request_id).toBe(completion.id.replace(/^chatcmpl-/, ''));
    expect(completion.choices[0]!.message.content).toBe('hello\ndo it');
  });

  it('ai: retries the 429 and gets the answer', async () => {
    const { url, statuses, fetch } = await fullQueue();
    const { text } = await generateText({ model: aiProvider(url, fetch)('echo'), messages });
    expect(statuses).toEqual([429, 200]);
    expect(text).toBe('hello\ndo it');
  });
});
