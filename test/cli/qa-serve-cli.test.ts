import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { startChainSite, type QaSite } from '../fixtures/qa-site.js';
import { startCli } from '../helpers/cli.js';
import { alive, childPids } from '../helpers/processes.js';

/** Two servers started through tsx, and Chromium twice, take seconds on this machine. */
const TIMEOUT_MS = 120_000;

let site: QaSite;
let dir = '';
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-qa-serve-'));
  // No politeness spacing: the test's site is on loopback and the test waits for nothing else.
  writeFileSync(join(dir, 'flotilla.config.yaml'), 'qa: { rate_limit: 0 }\n');
  site = await startChainSite(12);
});
/** The servers this test started: stopped when it ends, whether it passed or not. */
const servers: ReturnType<typeof startCli>[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM');
      await server.done;
    }
  }
  await site.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `flotilla serve` on a free port of this test's home; killed when the test ends. */
async function serve(): Promise<{ url: string; server: ReturnType<typeof startCli> }> {
  const server = startCli(['serve', '--port', '0', '--home', join(dir, 'home')], { cwd: dir });
  servers.push(server);
  await server.waitForOutput('listening on');
  return { url: /listening on (http:\/\/\S+)/.exec(server.output())![1]!, server };
}

async function post(url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The run's event types (and statuses), streamed until the server ends the stream. */
async function eventsOf(url: string, id: string): Promise<string[]> {
  const response = await fetch(`${url}/v1/runs/${id}/events`);
  const text = await response.text();
  return text
    .split('\n\n')
    .flatMap((block) => {
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data === undefined) return [];
      const event = JSON.parse(data) as { type: string; status?: string; url?: string };
      return [event.type === 'run.status' ? `run.status ${event.status}` : `${event.type} ${event.url}`];
    })
    .map((line) => line.replace(site.origin, ''));
}

it(
  'a server stopped mid-crawl leaves the QA run interrupted and no browser behind; the next server resumes it',
  async () => {
    const first = await serve();
    site.hold('/p/3');
    const started = await post(`${first.url}/v1/qa`, {
      urls: [`${site.origin}/`],
      workers: 1,
      max_pages: 6,
      max_depth: 20,
      ignore_robots: true,
      checks: ['http-status'],
    });
    expect(started.status).toBe(202);
    const id = started.json['id'] as string;
    await site.requested('/p/3');
    const browser = childPids(first.server.child.pid!);
    expect(browser.length).toBeGreaterThan(0);

    first.server.child.kill('SIGTERM');
    const stopped = await first.server.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).not.toContain('internal error');
    expect(stopped.stderr).not.toContain('QA run');
    // The runtime closed the browser before the server exited: nothing of it is left.
    expect(browser.filter(alive)).toEqual([]);
    const store = openStore({ home: join(dir, 'home') });
    try {
      expect(store.runs.get(id)).toMatchObject({ kind: 'qa', status: 'interrupted' });
    } finally {
      store.close();
    }

    site.release('/p/3');
    const before = site.hits.length;
    const second = await serve();
    const resumed = await post(`${second.url}/v1/runs/${id}/resume`);
    expect(resumed).toEqual({ status: 202, json: { id, status: 'running', kind: 'qa', queued: false } });
    const events = await eventsOf(second.url, id);
    // The whole stream: the first server's events, then the resumed crawl's, from /p/3 on.
    expect(events).toEqual([
      'run.status running',
      ...['/', '/p/1', '/p/2'].flatMap((path) => [`qa.visit ${path}`, `qa.page ${path}`]),
      'qa.visit /p/3',
      'run.status interrupted',
      'run.status running',
      ...['/p/3', '/p/4', '/p/5'].flatMap((path) => [`qa.visit ${path}`, `qa.page ${path}`]),
      'run.status succeeded',
    ]);
    expect(site.hits.slice(before)).toEqual(['/p/3', '/p/4', '/p/5']);
    const report = (await (await fetch(`${second.url}/v1/runs/${id}/report`)).json()) as {
      summary: { pages_tested: number; status: string };
    };
    expect(report.summary).toMatchObject({ pages_tested: 6, status: 'passed' });
  },
  TIMEOUT_MS,
);
