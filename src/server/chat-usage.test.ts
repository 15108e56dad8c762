import { describe, expect, it } from 'vitest';
import { CLAUDE_AGENT, CODEX_AGENT } from './chat-agents.fixture.js';
import { createHarness, jsonRequest, sseBlocks, type Harness } from './server.fixture.js';

const agents = { claude: CLAUDE_AGENT, codex: CODEX_AGENT };
const messages = [{ role: 'user', content: 'the question' }];

async function complete(harness: Harness, body: Record<string, unknown>) {
  const response = await harness.app.request(
    '/v1/chat/completions',
    jsonRequest('POST', { messages, ...body }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** The chunks of a streamed completion, and whether `[DONE]` ended it. */
async function streamed(harness: Harness, body: Record<string, unknown>) {
  const { url } = await harness.listen();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages, stream: true, ...body }),
  });
  const data: string[] = [];
  for await (const block of sseBlocks(response)) if (block.data !== undefined) data.push(block.data);
  expect(data.at(-1)).toBe('[DONE]');
  return data.slice(0, -1).map((text) => JSON.parse(text) as Record<string, unknown>);
}

describe('usage of a chat completion', () => {
  it('is what a claude-stream-json agent reported, its cache reads and writes counted as prompt', async () => {
    const harness = await createHarness({ agents });
    const body = await complete(harness, { model: 'claude' });
    expect(body).toMatchObject({ choices: [{ message: { content: 'answer to the question' } }] });
    expect(body.usage).toEqual({
      prompt_tokens: 117,
      completion_tokens: 34,
      total_tokens: 151,
      prompt_tokens_details: { cached_tokens: 100 },
    });
  });

  it('is the sum of a codex-json agent’s turns, whose input counts the cached tokens already', async () => {
    const harness = await createHarness({ agents });
    const body = await complete(harness, { model: 'codex' });
    expect(body.usage).toEqual({
      prompt_tokens: 80,
      completion_tokens: 10,
      total_tokens: 90,
      prompt_tokens_details: { cached_tokens: 30 },
    });
  });

  it('is zeros for an agent whose output tells none (text)', async () => {
    const harness = await createHarness();
    const body = await complete(harness, { model: 'echo' });
    expect(body.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});

describe('usage of a streamed chat completion', () => {
  it('comes with stream_options.include_usage, in a last chunk of its own with no choices', async () => {
    const harness = await createHarness({ agents });
    const chunks = await streamed(harness, { model: 'claude', stream_options: { include_usage: true } });
    expect(chunks.map(({ choices, usage }) => ({ choices, usage }))).toEqual([
      {
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
        usage: null,
      },
      {
        choices: [{ index: 0, delta: { content: 'answer to the question' }, finish_reason: null }],
        usage: null,
      },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null },
      {
        choices: [],
        usage: {
          prompt_tokens: 117,
          completion_tokens: 34,
          total_tokens: 151,
          prompt_tokens_details: { cached_tokens: 100 },
        },
      },
    ]);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('is left out without include_usage: no chunk has a usage field', async () => {
    const harness = await createHarness({ agents });
    for (const options of [{}, { stream_options: { include_usage: false } }, { stream_options: null }]) {
      const chunks = await streamed(harness, { model: 'claude', ...options });
      expect(chunks).toHaveLength(3);
      expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
      expect(chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
    }
  });

  it('refuses a stream_options that is not an object with 400 naming the field', async () => {
    const harness = await createHarness({ agents });
    const response = await harness.app.request(
      '/v1/chat/completions',
      jsonRequest('POST', {
        model: 'claude',
        messages,
        stream: true,
        stream_options: { include_usage: 'yes' },
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'stream_options.include_usage' } });
  });
});
