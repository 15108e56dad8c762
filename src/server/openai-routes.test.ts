import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import {
  ANY_NUMBER,
  createHarness,
  jsonRequest,
  matching,
  sseBlocks,
  type Harness,
} from './server.fixture.js';

let harness: Harness;
const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
};
const chat = (body: unknown) => harness.app.request('/v1/chat/completions', jsonRequest('POST', body));

describe('GET /v1/models', () => {
  it('lists the agent profiles as models', async () => {
    harness = await createHarness();
    const response = await harness.app.request('/v1/models');
    const body = (await response.json()) as { object: string; data: { id: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((model) => model.id)).toEqual(Object.keys(harness.config.agents));
    expect(body.data[0]).toEqual({
      id: 'hold',
      object: 'model',
      created: ANY_NUMBER,
      owned_by: 'flotilla',
    });
  });
});

describe('GET /v1/models/{id}', () => {
  it('gives the model object of one agent profile, whose name may hold a slash', async () => {
    harness = await createHarness({ agents: { 'team/review': { type: 'cli', command: ['true'] } } });
    const listed = (await (await harness.app.request('/v1/models')).json()) as { data: unknown[] };
    const one = await harness.app.request('/v1/models/echo');
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(listed.data[1]);
    for (const path of ['/v1/models/team%2Freview', '/v1/models/team/review']) {
      expect(await (await harness.app.request(path)).json()).toEqual({
        id: 'team/review',
        object: 'model',
        created: ANY_NUMBER,
        owned_by: 'flotilla',
      });
    }
  });

  it('answers another name with 404 model_not_found', async () => {
    harness = await createHarness();
    const response = await harness.app.request('/v1/models/gpt-9');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: matching('The model "gpt-9" does not exist'),
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
        flotilla_code: 'E_NOT_FOUND',
      },
    });
  });
});

describe('POST /v1/chat/completions', () => {
  it('runs the conversation as a job of the agent that `model` names and answers in OpenAI format', async () => {
    harness = await createHarness();
    const response = await chat({
      model: 'echo',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: [{ type: 'text', text: 'second question' }] },
      ],
      temperature: 0.2,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown> & {
      id: string;
      choices: { message: { content: string } }[];
    };
    expect(body).toMatchObject({
      object: 'chat.completion',
      created: ANY_NUMBER,
      model: 'echo',
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
    const content = body.choices[0]!.message.content;
    expect(content.startsWith('hello\n')).toBe(true);
    expect(content).toMatch(/Be brief\.[\s\S]*first question[\s\S]*first answer[\s\S]*second question$/);
    // The job behind it is an ordinary job.
    const job = await harness.jobs.get(body.id.replace(/^chatcmpl-/, ''));
    expect(job).toMatchObject({ agent: 'echo', status: 'succeeded' });
  });

  it('names its job in x-request-id, answer or error; a refusal before any job has an id of its own', async () => {
    harness = await createHarness();
    const answered = await chat({ model: 'echo', messages: [{ role: 'user', content: 'x' }] });
    const { id } = (await answered.json()) as { id: string };
    expect(answered.headers.get('x-request-id')).toBe(id.replace(/^chatcmpl-/, ''));
    const failed = await chat({ model: 'fail', messages: [{ role: 'user', content: 'x' }] });
    expect(failed.status).toBe(424);
    const failedJob = failed.headers.get('x-request-id')!;
    expect(await harness.jobs.get(failedJob)).toMatchObject({ agent: 'fail', status: 'failed' });
    const refused = await chat({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] });
    expect(refused.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('waits for a slot instead of failing, and answers a full queue with 429', async () => {
    harness = await createHarness({ concurrency: 1, maxQueue: 1 });
    const blocker = await harness.jobs.submit({ agent: 'hold', prompt: 'busy' });
    const waiting = chat({ model: 'echo', messages: [{ role: 'user', content: 'patient' }] });
    await new Promise<void>((resolve) => {
      const check = (): void => (harness.jobs.health().queued === 1 ? resolve() : void setTimeout(check, 5));
      check();
    });
    const refused = await chat({ model: 'echo', messages: [{ role: 'user', content: 'one too many' }] });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({
      error: { type: 'requests', code: 'rate_limit_exceeded', flotilla_code: 'E_QUEUE_FULL', param: null },
    });
    harness.release(blocker.id);
    const answered = await waiting;
    expect(answered.status).toBe(200);
  });

  it('answers 424, not to be retried, when the agent fails', async () => {
    harness = await createHarness();
    const response = await chat({ model: 'fail', messages: [{ role: 'user', content: 'x' }] });
    expect(response.status).toBe(424);
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(await response.json()).toMatchObject({
      error: { type: 'server_error', code: 'E_AGENT_FAILED', flotilla_code: 'E_AGENT_FAILED' },
    });
  });

  it('answers 503 to a chat that a shutdown ends, and tells the operator in a line, not as a fault', async () => {
    harness = await createHarness();
    const shutdown = new AbortController();
    const faults: unknown[] = [];
    const lines: string[] = [];
    const app = createApp({
      ...harness.deps,
      signal: shutdown.signal,
      onServerFault: (error) => faults.push(error),
      onServerLog: (level, message) => lines.push(`${level} ${message}`),
    });
    const answer = app.request(
      '/v1/chat/completions',
      jsonRequest('POST', { model: 'hold', messages: [{ role: 'user', content: 'x' }] }),
    );
    await until(() => harness.jobs.health().active === 1);
    shutdown.abort();
    const response = await answer;
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      error: { type: 'server_error', code: 'E_SERVER_STATE' },
    });
    expect(faults).toEqual([]);
    expect(lines).toEqual([
      'info POST /v1/chat/completions: 503 E_SERVER_STATE: The request ended before its job did',
    ]);
  });

  it.each([
    ['no messages', { model: 'echo', messages: [] }, 'messages'],
    ['a bad role', { model: 'echo', messages: [{ role: 'robot', content: 'x' }] }, 'messages.0.role'],
    ['no user text', { model: 'echo', messages: [{ role: 'system', content: 'x' }] }, 'messages'],
    [
      'a bad stream flag',
      { model: 'echo', messages: [{ role: 'user', content: 'x' }], stream: 'yes' },
      'stream',
    ],
  ])('refuses %s with 400 naming the field', async (_what, body, field) => {
    harness = await createHarness();
    const response = await chat(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: field, field } });
    expect(harness.store.jobs.list({}).items).toHaveLength(0);
  });

  it('answers an unknown model with 404 model_not_found, creating no job', async () => {
    harness = await createHarness();
    const response = await chat({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message:
          'The model "gpt-9" does not exist: a model names an agent profile (known: hold, echo, sleepy, fail)',
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
        flotilla_code: 'E_NOT_FOUND',
        field: 'model',
      },
    });
    expect(harness.store.jobs.list({}).items).toHaveLength(0);
  });

  it('streams chat.completion.chunk objects as the output arrives, ending with [DONE]', async () => {
    harness = await createHarness();
    const server = await harness.listen();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hold', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const requestId = response.headers.get('x-request-id');
    const data: string[] = [];
    let jobId = '';
    for await (const block of sseBlocks(response)) {
      if (block.data === undefined) continue;
      data.push(block.data);
      if (block.data === '[DONE]') continue;
      const chunk = JSON.parse(block.data) as { id: string; choices: { delta: { content?: string } }[] };
      jobId = chunk.id.replace(/^chatcmpl-/, '');
      // The first line arrived while the job still runs: let it finish.
      if (chunk.choices[0]!.delta.content?.startsWith('start ') === true) {
        expect((await harness.jobs.get(jobId))?.status).toBe('running');
        harness.release(jobId);
      }
    }
    expect(data.at(-1)).toBe('[DONE]');
    expect(requestId).toBe(jobId);
    const chunks = data.slice(0, -1).map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((chunk) => (chunk.choices as { delta: unknown }[])[0]!.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: `start ${jobId}` },
      { content: `\ndone ${jobId}` },
      {},
    ]);
    expect(chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
    // Usage only when asked for (stream_options.include_usage), as OpenAI sends it: chat-usage.test.ts.
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
  });

  it('cancels the job of a streamed chat whose client goes away', async () => {
    harness = await createHarness();
    const server = await harness.listen();
    const client = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hold', stream: true, messages: [{ role: 'user', content: 'go' }] }),
      signal: client.signal,
    });
    let jobId = '';
    try {
      for await (const block of sseBlocks(response)) {
        jobId = (JSON.parse(block.data!) as { id: string }).id.replace(/^chatcmpl-/, '');
        client.abort();
      }
    } catch (error) {
      expect((error as Error).name).toBe('AbortError');
    }
    await harness.reach(jobId, 'cancelled');
  });
});
