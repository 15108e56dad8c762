import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type HarnessOptions } from './server.fixture.js';
import { servedHosts } from './request-guard.js';

let harness: Harness;
let url = '';
let port = 0;
let dir = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-guard-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function serve(options: HarnessOptions = {}): Promise<void> {
  harness = await createHarness(options);
  url = (await harness.listen()).url;
  port = Number(new URL(url).port);
}

/** A workflow whose one shell step leaves a file behind: the proof that it ran. */
function markerWorkflow(marker: string): string {
  return `schema_version: 1
workflow: { id: mark }
steps:
  - id: touch
    type: shell
    run: [touch, "${marker}"]
`;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

/**
 * One request over real HTTP with exactly these headers (`fetch` may not set `Host`), to the harness's
 * server on 127.0.0.1.
 */
function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function code(answer: Answer): string | undefined {
  return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
}

/** Whether anything was created: runs, jobs, or the shell step's file. */
function nothingCreated(marker: string): void {
  expect(harness.store.runs.list({}).items).toEqual([]);
  expect(harness.store.jobs.list({}).items).toEqual([]);
  expect(existsSync(marker)).toBe(false);
}

describe('the request guard of a server without a token', () => {
  it('refuses a body that is not declared JSON with 415 — what a page can post without a preflight', async () => {
    await serve();
    const marker = join(dir, 'ran');
    const body = JSON.stringify({ workflow: markerWorkflow(marker) });
    const host = `127.0.0.1:${port}`;
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/jsonp',
    ]) {
      const answer = await send('POST', '/v1/runs', { host, 'content-type': type }, body);
      expect({ type, status: answer.status, code: code(answer) }).toEqual({
        type,
        status: 415,
        code: 'E_UNSUPPORTED_MEDIA_TYPE',
      });
      expect(answer.body).toContain('application/json');
    }
    // A body without any Content-Type is refused too; so is a job or a chat sent as text.
    expect((await send('POST', '/v1/runs', { host }, body)).status).toBe(415);
    const job = JSON.stringify({ agent: 'echo', prompt: 'hi' });
    expect((await send('POST', '/v1/jobs', { host, 'content-type': 'text/plain' }, job)).status).toBe(415);
    const chat = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] });
    const chatAnswer = await send(
      'POST',
      '/v1/chat/completions',
      { host, 'content-type': 'text/plain' },
      chat,
    );
    expect(chatAnswer.status).toBe(415);
    nothingCreated(marker);

    // JSON, with or without a UTF-8 charset, goes through.
    for (const type of ['application/json', 'Application/JSON; charset="UTF-8"']) {
      const answer = await send('POST', '/v1/jobs', { host, 'content-type': type }, job);
      expect({ type, status: answer.status }).toEqual({ type, status: 202 });
    }
  });

  it('refuses a Host that is not its address or a loopback name with its port, with 421, on every route', async () => {
    await serve();
    const marker = join(dir, 'ran');
    const body = JSON.stringify({ workflow: markerWorkflow(marker) });
    const json = { 'content-type': 'application/json' };
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `localhost.evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `localhost:${port + 1}`,
      '127.0.0.1',
      `192.168.1.2:${port}`,
    ]) {
      // A DNS-rebinding page is same-origin with its own name: Origin says nothing, Host tells it apart.
      const run = await send('POST', '/v1/runs', { ...json, host, origin: `http://${host}` }, body);
      expect({ host, status: run.status, code: code(run) }).toEqual({
        host,
        status: 421,
        code: 'E_MISDIRECTED',
      });
      expect((await send('GET', '/v1/jobs', { host })).status).toBe(421);
      expect((await send('GET', '/health', { host })).status).toBe(421);
    }
    nothingCreated(marker);

    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const answer = await send('GET', '/health', { host });
      expect({ host, status: answer.status }).toEqual({ host, status: 200 });
    }
  });

  it('refuses an Origin other than its own with 403, and creates nothing', async () => {
    await serve();
    const marker = join(dir, 'ran');
    const body = JSON.stringify({ workflow: markerWorkflow(marker) });
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${port}`,
      'null',
      `http://127.0.0.1:${port + 1}`,
      `http://127.0.0.1:${port}.evil.example`,
      `ftp://127.0.0.1:${port}`,
    ]) {
      const response = await fetch(`${url}/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body,
      });
      const text = await response.text();
      expect({
        origin,
        status: response.status,
        code: code({ status: response.status, body: text }),
      }).toEqual({ origin, status: 403, code: 'E_FORBIDDEN_ORIGIN' });
      // A bodyless POST (a gate's approval) and a read are refused the same way.
      expect(
        (await fetch(`${url}/v1/runs/run_x/approve`, { method: 'POST', headers: { origin } })).status,
      ).toBe(403);
      expect((await fetch(`${url}/v1/jobs`, { headers: { origin } })).status).toBe(403);
    }
    nothingCreated(marker);
  });

  it('serves its own origin (a page it serves) and clients that send no Origin (curl, the CLI, SDKs)', async () => {
    await serve();
    const marker = join(dir, 'ran');
    const body = JSON.stringify({ workflow: markerWorkflow(marker) });
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, undefined]) {
      const response = await fetch(`${url}/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(origin === undefined ? {} : { origin }) },
        body,
      });
      expect({ origin, status: response.status }).toEqual({ origin, status: 202 });
    }
    // With Host as a browser on this page sends it.
    const same = await send(
      'POST',
      '/v1/jobs',
      { host: `localhost:${port}`, origin: `http://localhost:${port}`, 'content-type': 'application/json' },
      JSON.stringify({ agent: 'echo', prompt: 'hi' }),
    );
    expect(same.status).toBe(202);
    expect(harness.store.runs.list({}).items).toHaveLength(3);
  });
});

describe('the request guard of a server with a token', () => {
  it('answers any Host (proxies, load balancers on /health), but still refuses other origins and bodies not JSON', async () => {
    await serve({ token: 's3cret' });
    const authorization = 'Bearer s3cret';
    const host = 'flotilla.internal.example';
    expect((await send('GET', '/health', { host })).status).toBe(200);
    expect((await send('GET', '/v1/jobs', { host })).status).toBe(401);
    expect((await send('GET', '/v1/jobs', { host, authorization })).status).toBe(200);
    const origin = `http://${host}`;
    expect((await send('GET', '/v1/jobs', { host, authorization, origin })).status).toBe(200);

    const foreign = await send('GET', '/v1/jobs', { host, authorization, origin: 'http://evil.example' });
    expect({ status: foreign.status, code: code(foreign) }).toEqual({
      status: 403,
      code: 'E_FORBIDDEN_ORIGIN',
    });
    const job = JSON.stringify({ agent: 'echo', prompt: 'hi' });
    const text = await send('POST', '/v1/jobs', { host, authorization, 'content-type': 'text/plain' }, job);
    expect(text.status).toBe(415);
    expect(harness.store.jobs.list({}).items).toEqual([]);
  });
});

describe('servedHosts', () => {
  it('lists the bound address and the loopback names with the port; port 80 also without it', () => {
    expect(servedHosts('127.0.0.1', 8787)).toEqual(['127.0.0.1:8787', 'localhost:8787', '[::1]:8787']);
    expect(servedHosts('::1', 1234)).toEqual(['[::1]:1234', 'localhost:1234', '127.0.0.1:1234']);
    expect(servedHosts('Box.Local', 80)).toEqual([
      'box.local:80',
      'box.local',
      'localhost:80',
      'localhost',
      '127.0.0.1:80',
      '127.0.0.1',
      '[::1]:80',
      '[::1]',
    ]);
  });
});
