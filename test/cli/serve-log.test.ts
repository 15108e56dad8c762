import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { HOLD_AGENT } from '../helpers/git.js';

// What `flotilla serve` tells its operator about outcomes that are no bug: an agent that fails behind a
// chat, a client that hangs up. Each is one line at most, never `internal error` with a stack trace.

let dir = '';
let servers: ReturnType<typeof startCli>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-serve-log-'));
  const gates = join(dir, 'gates');
  mkdirSync(gates);
  writeFileSync(
    join(dir, 'flotilla.config.yaml'),
    [
      'agents:',
      '  fail: { command: [sh, -c, "echo boom >&2; exit 3"] }',
      `  hold: { command: ["${process.execPath}", "${HOLD_AGENT}", "${gates}", "{job_id}"] }`,
    ].join('\n'),
  );
  servers = [];
});
afterEach(() => {
  for (const server of servers) server.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function serve(...flags: string[]) {
  const server = startCli(['serve', '--port', '0', '--home', join(dir, 'home'), ...flags], { cwd: dir });
  servers.push(server);
  await server.waitForOutput('http://');
  const url = /(http:\/\/[\w.:[\]]+)/.exec(server.output())![1]!;
  return { server, url };
}

const chatBody = (model: string, stream = false) =>
  JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'go' }] });

/**
 * Sends a chat request's head with `Expect: 100-continue`, waits for the server's `100 Continue` (it
 * has taken the request and its route reads the body), sends `partialBody` and destroys the socket.
 */
function hangUpMidBody(url: string, headers: readonly string[], partialBody: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.on('error', reject);
    socket.on('connect', () =>
      socket.write(
        [
          'POST /v1/chat/completions HTTP/1.1',
          `Host: ${hostname}:${port}`,
          'Content-Type: application/json',
          'Expect: 100-continue',
          ...headers,
          '',
          '',
        ].join('\r\n'),
      ),
    );
    socket.setEncoding('utf8').on('data', (text: string) => {
      if (!text.startsWith('HTTP/1.1 100')) return reject(new Error(`unexpected answer: ${text}`));
      socket.write(partialBody, () => {
        socket.destroy();
        resolve();
      });
    });
  });
}

/** Starts a chat of the `hold` agent, and hangs up once its job runs; resolves when it is cancelled. */
async function hangUpMidRequest(url: string): Promise<void> {
  const client = new AbortController();
  const request = fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: chatBody('hold'),
    signal: client.signal,
  }).catch((error: unknown) => error);
  const running = await until(async () => {
    const { items } = (await (await fetch(`${url}/v1/jobs?status=running`)).json()) as {
      items: { id: string }[];
    };
    return items[0]?.id;
  });
  client.abort();
  expect(await request).toMatchObject({ name: 'AbortError' });
  await until(async () => {
    const job = (await (await fetch(`${url}/v1/jobs/${running}`)).json()) as { status: string };
    return job.status === 'cancelled' ? true : undefined;
  });
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every expected outcome the tests cause, in order. */
async function causeExpectedOutcomes(url: string): Promise<void> {
  const failed = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: chatBody('fail'),
  });
  expect(failed.status).toBe(424);
  const streamed = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: chatBody('fail', true),
  });
  expect(await streamed.text()).toContain('E_AGENT_FAILED');
  await hangUpMidBody(url, ['Content-Length: 200'], chatBody('fail').slice(0, 20));
  await hangUpMidBody(url, ['Transfer-Encoding: chunked'], '14\r\n{"model":"fail","mes\r\n');
  await hangUpMidRequest(url);
}

/**
 * Stops the server the way an operator does, and gives what it wrote on stderr, line by line, but the
 * notice of the signal itself (`Interrupted (SIGTERM): …`).
 */
async function stop(server: ReturnType<typeof startCli>): Promise<{ stdout: string; lines: string[] }> {
  server.child.kill('SIGTERM');
  const { stdout, stderr } = await server.done;
  const lines = stderr.split('\n').filter((line) => line !== '' && !line.startsWith('Interrupted (SIGTERM)'));
  return { stdout, lines };
}

describe('flotilla serve logs expected outcomes as one line each', () => {
  it('by default: a line for each failed chat, nothing for clients that hang up, no internal error', async () => {
    const { server, url } = await serve();
    await causeExpectedOutcomes(url);
    const { lines } = await stop(server);
    expect(lines.join('\n')).not.toContain('internal error');
    expect(lines.join('\n')).not.toContain('    at ');
    expect(lines).toEqual([
      expect.stringMatching(/^flotilla serve: chat job job_\w+ failed: the agent exited with code 3$/),
      expect.stringMatching(/^flotilla serve: chat job job_\w+ failed: the agent exited with code 3$/),
    ]);
  });

  it('with --verbose, also a line for each client that hung up; --json keeps stdout one document', async () => {
    const { server, url } = await serve('--verbose', '--json');
    await causeExpectedOutcomes(url);
    const { stdout, lines } = await stop(server);
    expect(JSON.parse(stdout)).toMatchObject({ url });
    expect(lines).toEqual([
      expect.stringMatching(/^flotilla serve: chat job job_\w+ failed: the agent exited with code 3$/),
      expect.stringMatching(/^flotilla serve: chat job job_\w+ failed: the agent exited with code 3$/),
      'flotilla serve: POST /v1/chat/completions: The client went away before it sent the whole body',
      'flotilla serve: POST /v1/chat/completions: The client went away before it sent the whole body',
      expect.stringMatching(
        /^flotilla serve: POST \/v1\/chat\/completions: The client went away before chat job job_\w+ ended; the job was cancelled$/,
      ),
    ]);
  });
});
