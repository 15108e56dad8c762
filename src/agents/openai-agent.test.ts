import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenAiAgentProfile } from '../config/index.js';
import { TimeoutError } from '../core/index.js';
import {
  AgentError,
  parseRetryAfter,
  runAgent,
  runAgentWithRetry,
  streamChat,
  type AgentRequest,
} from './index.js';

const KEY = 'sk-test-123';
const ENV = { FLOTILLA_TEST_KEY: KEY };

/** What the test server does next, and what it saw. */
const server = {
  /** Requests answered 429 before one succeeds. */
  rateLimits: 0,
  retryAfter: '0',
  bodies: [] as Record<string, unknown>[],
  /** Called when a request that never gets an answer (prompt "hang") arrives. */
  onHang: (): void => undefined,
};

let http: Server;
let baseUrl: string;

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions') return json(response, 404, {});
  if (request.headers.authorization !== `Bearer ${KEY}`) {
    return json(response, 401, { error: { message: 'Incorrect API key provided' } });
  }
  const body = JSON.parse(text) as { messages: { content: string }[]; stream?: boolean };
  server.bodies.push(body);
  const prompt = body.messages[0]?.content ?? '';
  if (prompt === 'hang') return server.onHang();
  if (server.rateLimits > 0) {
    server.rateLimits -= 1;
    return json(
      response,
      429,
      { error: { message: 'Rate limit reached' } },
      { 'retry-after': server.retryAfter },
    );
  }
  if (body.stream !== true) {
    return json(response, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: `echo: ${prompt}\nsecond line` } }],
      usage: { prompt_tokens: 11, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 3 } },
    });
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: object): string =>
    `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta }] })}\n\n`;
  response.write(chunk({ role: 'assistant' }));
  response.write(': keep-alive\n\n');
  for (const piece of ['echo', ': ', prompt]) response.write(chunk({ content: piece }));
  response.write('data: not json\n\n');
  response.end('data: [DONE]\n\n');
}

beforeAll(async () => {
  http = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});
beforeEach(() => {
  server.rateLimits = 0;
  server.retryAfter = '0';
  server.bodies = [];
  server.onHang = () => undefined;
});

function profile(extra: Partial<OpenAiAgentProfile> = {}): OpenAiAgentProfile {
  return { type: 'openai', base_url: baseUrl, model: 'coder', api_key_env: 'FLOTILLA_TEST_KEY', ...extra };
}
const request: AgentRequest = { jobId: 'job-1', prompt: 'hi $(id)', workspace: '/nonexistent' };

describe('runAgent (openai)', () => {
  it('posts the prompt with the bearer key and reads the answer and usage', async () => {
    const lines: string[] = [];
    const result = await runAgent(profile(), request, {
      env: ENV,
      onLine: (_stream, line) => lines.push(line),
    });
    expect(result).toMatchObject({
      status: 'succeeded',
      output: 'echo: hi $(id)\nsecond line',
      usage: { inputTokens: 11, outputTokens: 7, cacheReadTokens: 3 },
      exitCode: null,
      httpStatus: 200,
      rateLimited: false,
    });
    expect(lines).toEqual(['echo: hi $(id)', 'second line']);
    expect(server.bodies).toEqual([
      { model: 'coder', messages: [{ role: 'user', content: 'hi $(id)' }], stream: false },
    ]);
  });

  it('refuses to run when the api_key_env variable is not set', async () => {
    const run = runAgent(profile(), request, { env: {} });
    await expect(run).rejects.toBeInstanceOf(AgentError);
    await expect(run).rejects.toMatchObject({ code: 'E_AGENT_CONFIG', message: /FLOTILLA_TEST_KEY/ });
    expect(server.bodies).toEqual([]);
  });

  it('fails on a non-2xx status with the status and the body', async () => {
    const result = await runAgent(profile(), request, { env: { FLOTILLA_TEST_KEY: 'wrong' } });
    expect(result).toMatchObject({ status: 'failed', httpStatus: 401, rateLimited: false });
    expect(result.error).toMatch(/^HTTP 401 Unauthorized: .*Incorrect API key/);
  });

  it('marks a 429 rate limited with its Retry-After', async () => {
    server.rateLimits = 1;
    server.retryAfter = '7';
    const result = await runAgent(profile(), request, { env: ENV });
    expect(result).toMatchObject({
      status: 'failed',
      httpStatus: 429,
      rateLimited: true,
      retryAfterMs: 7_000,
    });
  });

  it('retries 429s with runAgentWithRetry, waiting what Retry-After says', async () => {
    server.rateLimits = 2;
    const delays: number[] = [];
    const result = await runAgentWithRetry(profile({ retry: { attempts: 3, backoff_s: 3600 } }), request, {
      env: ENV,
      onRetry: (_attempt, delayMs) => delays.push(delayMs),
    });
    expect(result).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(delays).toEqual([0, 0]);
  });

  it('times out', async () => {
    const result = await runAgent(profile(), { ...request, prompt: 'hang', timeoutMs: 100 }, { env: ENV });
    expect(result).toMatchObject({ status: 'timed_out', error: 'timed out after 100 ms' });
  });

  it('is cancelled by its signal', async () => {
    const controller = new AbortController();
    server.onHang = () => controller.abort();
    const result = await runAgent(
      profile(),
      { ...request, prompt: 'hang' },
      { env: ENV, signal: controller.signal },
    );
    expect(result.status).toBe('cancelled');
  });

  it('fails when the endpoint cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runAgent(profile({ base_url: `http://127.0.0.1:${port}/v1` }), request, {
      env: ENV,
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/ECONNREFUSED/);
  });
});

describe('streamChat', () => {
  const messages = [{ role: 'user', content: 'stream me' }] as const;

  it('yields the content deltas until [DONE]', async () => {
    const deltas: string[] = [];
    for await (const delta of streamChat(profile(), { messages }, { env: ENV })) deltas.push(delta);
    expect(deltas).toEqual(['echo', ': ', 'stream me']);
    expect(server.bodies[0]).toMatchObject({ model: 'coder', stream: true });
  });

  it('stops when the reader leaves early', async () => {
    for await (const delta of streamChat(profile(), { messages }, { env: ENV })) {
      expect(delta).toBe('echo');
      break;
    }
  });

  it('throws an AgentError on a 429, with its Retry-After', async () => {
    server.rateLimits = 1;
    server.retryAfter = '2';
    const stream = streamChat(profile(), { messages }, { env: ENV });
    await expect(stream.next()).rejects.toMatchObject({
      code: 'E_AGENT_HTTP',
      status: 429,
      rateLimited: true,
      retryAfterMs: 2_000,
    });
  });

  it('throws a TimeoutError when the timeout passes', async () => {
    const stream = streamChat(
      profile(),
      { messages: [{ role: 'user', content: 'hang' }], timeoutMs: 100 },
      { env: ENV },
    );
    await expect(stream.next()).rejects.toBeInstanceOf(TimeoutError);
  });

  it('refuses to start without the API key', async () => {
    await expect(streamChat(profile(), { messages }, { env: {} }).next()).rejects.toMatchObject({
      code: 'E_AGENT_CONFIG',
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, bounded', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('99999')).toBe(300_000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
  });
});
