import OpenAI, { APIUserAbortError, AuthenticationError, NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import { CLAUDE_AGENT, jobAt, onlyJob, printedPid } from './chat-agents.fixture.js';
import { alive, ANY_NUMBER, createHarness, matching } from './server.fixture.js';

// The OpenAI SDK at its defaults (but its baseURL and apiKey) against a real server on loopback; the
// agents are real processes (chat-agents.fixture.ts, server.fixture.ts).

const messages = [{ role: 'user' as const, content: 'the question' }];
const USAGE = {
  prompt_tokens: 117,
  completion_tokens: 34,
  total_tokens: 151,
  prompt_tokens_details: { cached_tokens: 100 },
};

async function served(token?: string) {
  const harness = await createHarness({
    agents: { claude: CLAUDE_AGENT },
    ...(token === undefined ? {} : { token }),
  });
  const { url } = await harness.listen();
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: token ?? 'unused' });
  return { harness, url, client };
}

describe('the OpenAI SDK: models', () => {
  it('lists the agent profiles and retrieves one; another name is a NotFoundError model_not_found', async () => {
    const { harness, client } = await served();
    const listed = [];
    for await (const model of client.models.list()) listed.push(model.id);
    expect(listed).toEqual(Object.keys(harness.config.agents));
    const model = await client.models.retrieve('claude');
    expect(model).toEqual({
      id: 'claude',
      object: 'model',
      created: ANY_NUMBER,
      owned_by: 'flotilla',
    });
    expect(model._request_id).toMatch(/^req_/);
    const missing = await client.models.retrieve('gpt-9').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error' });
  });
});

describe('the OpenAI SDK: chat completions', () => {
  it('answers with the usage the agent reported; _request_id is the job GET /v1/jobs/:id finds', async () => {
    const { url, client } = await served();
    const completion = await client.chat.completions.create({ model: 'claude', messages });
    expect(completion.choices[0]!.message.content).toBe('answer to the question');
    expect(completion.usage).toEqual(USAGE);
    const jobId = completion._request_id!;
    expect(completion.id).toBe(`chatcmpl-${jobId}`);
    expect(await jobAt(url, jobId)).toMatchObject({
      id: jobId,
      agent: 'claude',
      status: 'succeeded',
      metadata: { source: 'chat.completions' },
      result: { usage: { inputTokens: 12, outputTokens: 34 } },
    });
  });

  it('streams without usage by default, and with it in a last chunk of no choices when asked', async () => {
    const { url, client } = await served();
    const { data: plain, request_id } = await client.chat.completions
      .create({ model: 'claude', messages, stream: true })
      .withResponse();
    const plainChunks = [];
    for await (const chunk of plain) plainChunks.push(chunk);
    expect(plainChunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'answer to the question',
    );
    expect(plainChunks.every((chunk) => chunk.usage === undefined)).toBe(true);
    expect(await jobAt(url, request_id!)).toMatchObject({ status: 'succeeded' });

    const counted = await client.chat.completions.create({
      model: 'claude',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of counted) chunks.push(chunk);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: USAGE });
  });

  it('raises a NotFoundError model_not_found for an unknown model, and runs nothing', async () => {
    const { harness, client } = await served();
    const failure = await client.chat.completions
      .create({ model: 'gpt-9', messages })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NotFoundError);
    expect(failure).toMatchObject({
      status: 404,
      code: 'model_not_found',
      type: 'invalid_request_error',
      param: 'model',
      error: { flotilla_code: 'E_NOT_FOUND' },
      requestID: matching(/^req_/),
    });
    expect(harness.store.jobs.list({}).items).toEqual([]);
  });

  it('raises an AuthenticationError for a bad token, and runs nothing', async () => {
    const { harness, url } = await served('the-token');
    const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'not-the-token' });
    const failure = await wrong.chat.completions
      .create({ model: 'claude', messages })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuthenticationError);
    expect(failure).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      error: { flotilla_code: 'E_UNAUTHORIZED' },
    });
    expect(harness.store.jobs.list({}).items).toEqual([]);
    const right = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'the-token' });
    expect((await right.chat.completions.create({ model: 'claude', messages })).usage).toEqual(USAGE);
  });
});

describe('the OpenAI SDK: a call aborted with its signal', () => {
  it('cancels the job of a chat completion, whose processes are gone', async () => {
    const { harness, url, client } = await served();
    const controller = new AbortController();
    const call = client.chat.completions
      .create({ model: 'sleepy', messages }, { signal: controller.signal })
      .catch((error: unknown) => error);
    const jobId = await onlyJob(harness);
    const grandchild = await printedPid(harness, jobId);
    expect(alive(grandchild)).toBe(true);
    controller.abort();
    expect(await call).toBeInstanceOf(APIUserAbortError);
    await harness.reach(jobId, 'cancelled');
    expect(await jobAt(url, jobId)).toMatchObject({ status: 'cancelled' });
    expect(alive(grandchild)).toBe(false);
  });

  it('cancels the job of a stream, whose processes are gone', async () => {
    const { harness, client } = await served();
    const { data: stream, request_id } = await client.chat.completions
      .create({ model: 'sleepy', messages, stream: true })
      .withResponse();
    const jobId = request_id!;
    const grandchild = await printedPid(harness, jobId);
    // The SDK ends the iteration quietly when its stream is aborted.
    for await (const _chunk of stream) stream.controller.abort();
    expect(stream.controller.signal.aborted).toBe(true);
    await harness.reach(jobId, 'cancelled');
    expect(alive(grandchild)).toBe(false);
  });
});
