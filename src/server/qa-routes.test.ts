import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChainSite, type QaSite } from '../../test/fixtures/qa-site.js';
import { createApp } from './app.js';
import type { RunningServer } from './start-server.js';
import {
  ANY_STRING,
  createHarness,
  jsonRequest,
  matching,
  sseBlocks,
  type Harness,
  type HarnessOptions,
} from './server.fixture.js';

/** Chromium launches once per crawl; on this machine that is a second or two each. */
const TIMEOUT_MS = 60_000;

let site: QaSite;
beforeEach(async () => {
  site = await startChainSite(12);
});
afterEach(async () => {
  await site.close();
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

interface StreamedEvent {
  readonly id: string;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** A harness on a real loopback server, without the politeness spacing the tests do not need. */
async function serve(options: HarnessOptions = {}): Promise<{ harness: Harness; server: RunningServer }> {
  const harness = await createHarness({ ...options, qa: { rate_limit: 0, ...options.qa } });
  return { harness, server: await harness.listen() };
}

async function call(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
  };
}

/** A crawl of the chain site: one worker, so pages come in the chain's order. */
function crawlOf(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    urls: [`${site.origin}/`],
    workers: 1,
    max_pages: 5,
    max_depth: 20,
    ignore_robots: true,
    // The site's pages are bare: these tests are about the route and the run, not the checks.
    checks: ['http-status'],
    ...extra,
  };
}

/** Every event of a run's stream, until the server ends it. */
async function streamOf(
  server: RunningServer,
  id: string,
  headers: Record<string, string> = {},
): Promise<StreamedEvent[]> {
  const response = await fetch(`${server.url}/v1/runs/${id}/events`, { headers });
  expect(response.status).toBe(200);
  const events: StreamedEvent[] = [];
  for await (const block of sseBlocks(response)) {
    if (block.data === undefined) continue;
    events.push({
      id: block.id!,
      event: block.event!,
      data: JSON.parse(block.data) as Record<string, unknown>,
    });
  }
  return events;
}

async function ended(
  server: RunningServer,
  id: string,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  for (let turn = 0; turn < 3000; turn++) {
    const { json } = await call(server, 'GET', `/v1/runs/${id}`, undefined, headers);
    if (json['status'] !== 'running') return json;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${id} did not end`);
}

const pathOf = (url: unknown): string => String(url).slice(site.origin.length);

describe('POST /v1/qa', () => {
  it(
    'starts a crawl (202): its qa.visit/qa.page events stream live in order and end with the run; its view and report',
    async () => {
      const { server } = await serve();
      site.hold('/p/2');
      const started = await call(server, 'POST', '/v1/qa', crawlOf());
      expect(started.status).toBe(202);
      expect(started.json).toEqual({
        id: matching(/^qa_/),
        status: 'running',
        kind: 'qa',
        queued: false,
      });
      const id = started.json['id'] as string;
      expect(started.headers.get('location')).toBe(`/v1/runs/${id}`);
      const streamed = streamOf(server, id);

      await site.requested('/p/2');
      // While it crawls: the run and the report so far.
      const running = await call(server, 'GET', `/v1/runs/${id}`);
      expect(running.json).toMatchObject({ id, kind: 'qa', status: 'running', queued: false, output: null });
      const partial = await call(server, 'GET', `/v1/runs/${id}/report`);
      expect(partial.status).toBe(200);
      expect(partial.json).toMatchObject({
        run: { id, status: 'running', finished_at: null },
        summary: { status: 'running', pages_tested: 2 },
        queued: [{ url: `${site.origin}/p/2`, depth: 2 }],
      });
      expect((partial.json['pages'] as { url: string }[]).map(({ url }) => pathOf(url))).toEqual([
        '/',
        '/p/1',
      ]);
      site.release('/p/2');

      const events = await streamed;
      const order = ['/', '/p/1', '/p/2', '/p/3', '/p/4'].flatMap((path) => [
        `qa.visit ${path}`,
        `qa.page ${path}`,
      ]);
      expect(
        events.map(({ event, data }) =>
          event === 'run.status' ? `run.status ${String(data['status'])}` : `${event} ${pathOf(data['url'])}`,
        ),
      ).toEqual(['run.status running', ...order, 'run.status succeeded']);
      const seqs = events.map(({ id: seq }) => Number(seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(events.find(({ event }) => event === 'qa.page')?.data).toMatchObject({
        runId: id,
        tested: true,
        status: 200,
        findings: 0,
      });

      // Last-Event-ID: the events after it, then the end (the run has ended).
      const replay = await streamOf(server, id, { 'last-event-id': events[4]!.id });
      expect(replay).toEqual(events.slice(5));

      const view = await call(server, 'GET', `/v1/runs/${id}`);
      expect(view.json).toEqual({
        id,
        kind: 'qa',
        name: `${site.origin}/`,
        status: 'succeeded',
        queued: false,
        spec: {
          urls: [`${site.origin}/`],
          workers: 1,
          max_pages: 5,
          max_depth: 20,
          rate_limit: 0,
          allow_origins: [],
          keep_params: [],
          ignore_params: [],
          ignore_robots: true,
          sitemap: false,
          fail_on: 'high',
          checks: ['http-status'],
          budgets: { load: 5000, lcp: 2500, cls: 0.1 },
          external_links: true,
          ignore_console: [],
          screenshot_on: 'high',
        },
        output: {
          summary: {
            pages_tested: 5,
            pages_not_tested: 1,
            findings_by_severity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
            status: 'passed',
          },
        },
        error: null,
        created_at: ANY_STRING,
        started_at: ANY_STRING,
        finished_at: ANY_STRING,
      });

      const report = await call(server, 'GET', `/v1/runs/${id}/report`);
      expect(report.json).toMatchObject({
        run: {
          id,
          status: 'succeeded',
          error: null,
          config: view.json['spec'],
          finished_at: view.json['finished_at'],
        },
        summary: (view.json['output'] as { summary: unknown }).summary,
        not_tested: [{ url: `${site.origin}/p/5`, reason: 'page budget spent (--max-pages 5)' }],
        queued: [],
        findings: [],
      });
      expect((report.json['pages'] as { url: string }[]).map(({ url }) => pathOf(url))).toEqual([
        '/',
        '/p/1',
        '/p/2',
        '/p/3',
        '/p/4',
      ]);

      // QA runs are runs: listed with the others, or alone with ?kind=qa.
      const listed = await call(server, 'GET', '/v1/runs?kind=qa');
      expect(listed.json).toEqual({ items: [view.json], next_cursor: null });
      expect((await call(server, 'GET', '/v1/runs')).json['items']).toEqual([view.json]);
      expect((await call(server, 'GET', '/v1/runs?kind=workflow')).json['items']).toEqual([]);
      expect((await call(server, 'GET', '/v1/runs?kind=QA!')).json).toMatchObject({
        error: { code: 'E_INVALID_REQUEST', field: 'kind' },
      });
    },
    TIMEOUT_MS,
  );

  it('refuses a body that does not fit with 400 naming the field, and every scheme but http and https', async () => {
    const { server } = await serve();
    const refused = async (body: unknown): Promise<Record<string, unknown>> => {
      const answer = await call(server, 'POST', '/v1/qa', body);
      expect(answer.status).toBe(400);
      return (answer.json as { error: Record<string, unknown> }).error;
    };
    for (const url of [
      'file:///etc/passwd',
      'chrome://settings',
      'data:text/html,<h1>hi</h1>',
      'javascript:alert(1)',
      'ftp://127.0.0.1/',
      '/relative',
    ]) {
      expect(await refused({ urls: [url] })).toEqual({
        code: 'E_INVALID_REQUEST',
        field: 'urls.0',
        message: 'urls.0: expected an http or https URL',
      });
    }
    expect(await refused(crawlOf({ workers: 0 }))).toEqual({
      code: 'E_INVALID_REQUEST',
      field: 'workers',
      message: 'workers: expected an integer from 1 to 16',
    });
    expect(await refused(crawlOf({ fail_on: 'bad' }))).toMatchObject({ field: 'fail_on' });
    expect(await refused({ urls: [] })).toMatchObject({
      field: 'urls',
      message: 'urls: expected at least one start URL',
    });
    expect(await refused({ workers: 2 })).toMatchObject({ field: 'urls' });
    expect(await refused(crawlOf({ out: '/tmp/x' }))).toMatchObject({
      field: 'out',
      message: matching('unknown field(s): out (expected one of: urls, workers,'),
    });
    expect(await refused(['http://127.0.0.1/'])).toMatchObject({
      field: 'body',
      message: 'body: expected a mapping',
    });
    expect(await refused('{"urls": [')).toMatchObject({ code: 'E_INVALID_JSON' });
    // Nothing was stored, nothing was asked of the site.
    expect((await call(server, 'GET', '/v1/runs?kind=qa')).json['items']).toEqual([]);
    expect(site.hits).toEqual([]);
  });

  it(
    'is refused to a cross-site page (403), and without the token when the server has one (401)',
    async () => {
      const open = await serve();
      const fromPage = await call(open.server, 'POST', '/v1/qa', crawlOf(), {
        origin: 'https://evil.example',
      });
      expect(fromPage.status).toBe(403);
      expect(fromPage.json).toMatchObject({ error: { code: 'E_FORBIDDEN_ORIGIN' } });

      const guarded = await serve({ token: 's3cret-token' });
      const anonymous = await call(guarded.server, 'POST', '/v1/qa', crawlOf());
      expect(anonymous.status).toBe(401);
      const wrong = await call(guarded.server, 'POST', '/v1/qa', crawlOf(), { authorization: 'Bearer nope' });
      expect(wrong.status).toBe(401);
      const pageWithToken = await call(guarded.server, 'POST', '/v1/qa', crawlOf(), {
        authorization: 'Bearer s3cret-token',
        origin: 'https://evil.example',
      });
      expect(pageWithToken.status).toBe(403);
      expect(site.hits).toEqual([]);
      expect(open.harness.store.runs.list({ kind: 'qa' }).items).toEqual([]);
      expect(guarded.harness.store.runs.list({ kind: 'qa' }).items).toEqual([]);

      const auth = { authorization: 'Bearer s3cret-token' };
      const allowed = await call(guarded.server, 'POST', '/v1/qa', crawlOf({ max_pages: 1 }), auth);
      expect(allowed.status).toBe(202);
      expect(await ended(guarded.server, allowed.json['id'] as string, auth)).toMatchObject({
        status: 'succeeded',
      });
      expect(site.hits).toEqual(['/']);
    },
    TIMEOUT_MS,
  );

  it('answers 202 and fails the run (not the request) when the server has no browser; the operator hears of it', async () => {
    const harness = await createHarness({ env: { ...process.env, FLOTILLA_CHROMIUM: '/nowhere/chromium' } });
    const lines: string[] = [];
    const faults: unknown[] = [];
    const app = createApp({
      ...harness.deps,
      onServerLog: (level, message) => lines.push(`${level} ${message}`),
      onServerFault: (error) => faults.push(error),
    });
    const response = await app.request('/v1/qa', jsonRequest('POST', crawlOf()));
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await expect.poll(() => harness.runtime.qa.view(id)?.status).toBe('failed');
    expect(harness.runtime.qa.view(id)?.error).toMatch(/FLOTILLA_CHROMIUM/);
    await expect
      .poll(() => lines)
      .toEqual([expect.stringMatching(`^info QA run ${id} ended without a report: .*FLOTILLA_CHROMIUM`)]);
    expect(faults).toEqual([]);
    // Its report says so: it failed before it saw a URL.
    const report = (await (await app.request(`/v1/runs/${id}/report`)).json()) as Record<string, unknown>;
    expect(report).toMatchObject({
      run: { status: 'failed', error: matching('FLOTILLA_CHROMIUM') },
      summary: { status: 'failed', pages_tested: 0 },
      pages: [],
      not_tested: [],
      queued: [],
    });
  });

  it(
    'crawls at most qa.max_runs at once: the next is running and queued; beyond server.max_queue, 429',
    async () => {
      const { server } = await serve({ qa: { max_runs: 1 }, maxQueue: 1 });
      site.hold('/p/1');
      const first = await call(server, 'POST', '/v1/qa', crawlOf({ max_pages: 2 }));
      await site.requested('/p/1');
      const second = await call(server, 'POST', '/v1/qa', crawlOf({ max_pages: 1 }));
      expect(second.status).toBe(202);
      expect(second.json).toMatchObject({ status: 'running', queued: true });
      const secondId = second.json['id'] as string;
      expect((await call(server, 'GET', `/v1/runs/${secondId}`)).json).toMatchObject({
        status: 'running',
        queued: true,
        output: null,
      });
      const third = await call(server, 'POST', '/v1/qa', crawlOf({ max_pages: 1 }));
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(third.json).toMatchObject({ error: { code: 'E_QUEUE_FULL' } });
      // The first crawl had the site to itself.
      expect(site.hits).toEqual(['/', '/p/1']);

      site.release('/p/1');
      expect(await ended(server, first.json['id'] as string)).toMatchObject({ status: 'succeeded' });
      expect(await ended(server, secondId)).toMatchObject({ status: 'succeeded', queued: false });
      expect(site.hits).toEqual(['/', '/p/1', '/']);
    },
    TIMEOUT_MS,
  );

  it(
    'DELETE /v1/runs/:id cancels a crawl for good; an interrupted one resumes with POST /v1/runs/:id/resume',
    async () => {
      const { server, harness } = await serve();
      site.hold('/p/2');
      const started = await call(server, 'POST', '/v1/qa', crawlOf());
      const id = started.json['id'] as string;
      await site.requested('/p/2');
      const cancelled = await call(server, 'DELETE', `/v1/runs/${id}`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.json).toMatchObject({ id, kind: 'qa', status: 'cancelled', queued: false });
      const again = await call(server, 'POST', `/v1/runs/${id}/resume`);
      expect(again.status).toBe(409);
      expect(again.json).toMatchObject({
        error: { code: 'E_RUN_NOT_RESUMABLE', message: matching('was cancelled') },
      });
      const events = await streamOf(server, id);
      expect(events.at(-1)).toMatchObject({ event: 'run.status', data: { status: 'cancelled' } });
      site.release('/p/2');

      // A crawl stopped by its process (a shutdown, a Ctrl-C) is interrupted, and resumes over HTTP.
      site.hold('/p/3');
      const stop = new AbortController();
      const spec = { ...harness.runtime.qa.view(id)!.spec, max_pages: 5 };
      const stopped = harness.runtime.qa.start(spec, { signal: stop.signal });
      await site.requested('/p/3');
      stop.abort();
      await stopped.done;
      expect(harness.runtime.qa.view(stopped.id)).toMatchObject({ status: 'interrupted' });
      site.release('/p/3');
      const before = site.hits.length;
      const resumed = await call(server, 'POST', `/v1/runs/${stopped.id}/resume`);
      expect(resumed.status).toBe(202);
      expect(resumed.json).toEqual({ id: stopped.id, status: 'running', kind: 'qa', queued: false });
      expect(await ended(server, stopped.id)).toMatchObject({
        status: 'succeeded',
        output: { summary: { pages_tested: 5, status: 'passed' } },
      });
      expect(site.hits.slice(before)).toEqual(['/p/3', '/p/4']);
      expect((await call(server, 'GET', '/v1/runs/run_nope/report')).status).toBe(404);
    },
    TIMEOUT_MS,
  );
});
