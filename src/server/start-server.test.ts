import { describe, expect, it } from 'vitest';
import { createHarness, type Harness, type HarnessOptions, matching } from './server.fixture.js';
import { ServerError } from './server-error.js';
import { isLoopbackHost, startServer } from './start-server.js';

let harness: Harness;
async function serve(options: HarnessOptions = {}): Promise<string> {
  harness = await createHarness(options);
  return (await harness.listen()).url;
}

describe('startServer', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '128.0.0.1', 'localhost.evil.com']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('refuses to listen on a non-loopback address without a token', async () => {
    harness = await createHarness();
    const attempt = startServer({ host: '0.0.0.0', port: 0, ...harness.deps });
    await expect(attempt).rejects.toThrow(ServerError);
    await expect(attempt).rejects.toMatchObject({
      code: 'E_INSECURE',
      message: matching(/token/),
    });
  });

  it('listens on a non-loopback address with a token, on the port it picked', async () => {
    harness = await createHarness({ token: 's3cret' });
    const server = await harness.listen('0.0.0.0');
    expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    const port = new URL(server.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });
});

describe('bearer token', () => {
  it('guards every route but /health, with 401 and WWW-Authenticate', async () => {
    const url = await serve({ token: 's3cret' });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    for (const authorization of [undefined, 'Bearer wrong', 'Bearer s3cre', 'Basic s3cret', 'Bearer']) {
      const response = await fetch(`${url}/v1/jobs`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = await response.text();
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'E_UNAUTHORIZED' } });
      expect(body).not.toContain('s3cret');
    }
    const ok = await fetch(`${url}/v1/jobs`, { headers: { authorization: 'Bearer s3cret' } });
    expect(ok.status).toBe(200);
    // Refused before the body is read: nothing is created.
    const post = await fetch(`${url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'echo', prompt: 'x' }),
    });
    expect(post.status).toBe(401);
    expect(harness.store.jobs.list({}).items).toHaveLength(0);
  });
});

describe('body limit', () => {
  it('refuses a body over maxBodyBytes with 413 and creates nothing', async () => {
    const url = await serve({ maxBodyBytes: 1024 });
    const response = await fetch(`${url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'echo', prompt: 'x'.repeat(4096) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'E_BODY_TOO_LARGE' } });
    expect(harness.store.jobs.list({}).items).toHaveLength(0);

    const small = await fetch(`${url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'echo', prompt: 'x'.repeat(512) }),
    });
    expect(small.status).toBe(202);
  });

  it('counts a chunked body without Content-Length too', async () => {
    const url = await serve({ maxBodyBytes: 1024 });
    const chunks = [JSON.stringify({ agent: 'echo', prompt: 'x'.repeat(4096) })];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const response = await fetch(`${url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    });
    expect(response.status).toBe(413);
  });

  it('accepts a chunked body within the limit, and a DELETE without a body, over real HTTP', async () => {
    const url = await serve({ maxBodyBytes: 1024 });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ agent: 'echo', prompt: 'small' })));
        controller.close();
      },
    });
    const created = await fetch(`${url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const deleted = await fetch(`${url}/v1/jobs/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(((await deleted.json()) as { id: string }).id).toBe(id);
  });
});
