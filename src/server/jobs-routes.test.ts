import { describe, expect, it } from 'vitest';
import { alive, createHarness, jsonRequest, type Harness, ANY_STRING, matching } from './server.fixture.js';

let harness: Harness;

async function submit(body: unknown) {
  const response = await harness.app.request('/v1/jobs', jsonRequest('POST', body));
  return { response, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /v1/jobs', () => {
  it('acknowledges with 202, the id and the place in the queue', async () => {
    harness = await createHarness({ concurrency: 1 });
    const first = await submit({ agent: 'hold', prompt: 'one' });
    expect(first.response.status).toBe(202);
    expect(first.body).toMatchObject({ id: matching(/^job_/), status: 'running', position: 0 });
    const second = await submit({ agent: 'hold', prompt: 'two' });
    expect(second.response.status).toBe(202);
    expect(second.body).toMatchObject({ status: 'queued', position: 1 });
    const third = await submit({ agent: 'hold', prompt: 'three' });
    expect(third.body).toMatchObject({ status: 'queued', position: 2 });
    // Stored before it was acknowledged.
    expect(harness.store.jobs.get(third.body.id as string)?.prompt).toBe('three');
    for (const { body } of [first, second, third]) harness.release(body.id as string);
    await harness.reach(third.body.id as string, 'succeeded');
  });

  it('answers a full queue with 429 and Retry-After — never 409 or 503 — and creates nothing', async () => {
    harness = await createHarness({ concurrency: 1, maxQueue: 1 });
    const running = await submit({ agent: 'hold', prompt: 'runs' });
    const waiting = await submit({ agent: 'hold', prompt: 'waits' });
    expect([running.response.status, waiting.response.status]).toEqual([202, 202]);
    for (let attempt = 0; attempt < 3; attempt++) {
      const refused = await submit({ agent: 'hold', prompt: 'refused' });
      expect(refused.response.status).toBe(429);
      expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatchObject({ error: { code: 'E_QUEUE_FULL', message: ANY_STRING } });
    }
    expect(harness.store.jobs.list({}).items).toHaveLength(2);
    harness.release(running.body.id as string);
    await harness.reach(waiting.body.id as string, 'running');
    const accepted = await submit({ agent: 'hold', prompt: 'room again' });
    expect(accepted.response.status).toBe(202);
    harness.release(waiting.body.id as string);
    harness.release(accepted.body.id as string);
    await harness.reach(accepted.body.id as string, 'succeeded');
  });

  it.each([
    ['a bad type', { agent: 'echo', prompt: 42 }, 'prompt', 'E_INVALID_REQUEST'],
    ['a negative timeout', { agent: 'echo', prompt: 'x', timeout_s: -1 }, 'timeout_s', 'E_INVALID_REQUEST'],
    ['an unknown agent', { agent: 'nope', prompt: 'x' }, 'agent', 'E_AGENT_UNKNOWN'],
    ['an unknown repository', { agent: 'echo', prompt: 'x', repo: '/etc' }, 'repo', 'E_REPO_UNKNOWN'],
    ['an unknown field', { agent: 'echo', prompt: 'x', shell: 'rm -rf /' }, 'shell', 'E_INVALID_REQUEST'],
    ['a missing field', { agent: 'echo' }, 'prompt', 'E_INVALID_REQUEST'],
    ['a body that is not an object', [1, 2], 'body', 'E_INVALID_REQUEST'],
  ])('refuses %s with 400 naming the field, creating nothing', async (_what, body, field, code) => {
    harness = await createHarness();
    const { response, body: answer } = await submit(body);
    expect(response.status).toBe(400);
    expect(answer).toEqual({ error: { code, message: matching(field), field } });
    expect(harness.store.jobs.list({}).items).toHaveLength(0);
  });

  it('refuses a body that is not JSON with 400 E_INVALID_JSON', async () => {
    harness = await createHarness();
    for (const text of ['{"agent": "echo",', '']) {
      const response = await harness.app.request('/v1/jobs', jsonRequest('POST', text));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'E_INVALID_JSON' } });
    }
  });

  it('keeps shell metacharacters in a prompt inert', async () => {
    harness = await createHarness();
    const prompt = '$(touch pwned); `id` | cat && echo "x" > /dev/null';
    const { body } = await submit({ agent: 'echo', prompt });
    await harness.reach(body.id as string, 'succeeded');
    expect((await harness.jobs.get(body.id as string))?.result?.output).toContain(prompt);
  });
});

describe('GET /v1/jobs and /v1/jobs/:id', () => {
  it('shows a job with the metadata it was given, 404 for an unknown id', async () => {
    harness = await createHarness();
    const metadata = { ticket: 'ENG-42', labels: ['docs'], nested: { by: 'ci' } };
    const { body } = await submit({ agent: 'echo', prompt: 'hi', metadata });
    await harness.reach(body.id as string, 'succeeded');
    const response = await harness.app.request(`/v1/jobs/${String(body.id)}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: body.id,
      status: 'succeeded',
      agent: 'echo',
      prompt: 'hi',
      repo: null,
      created_at: ANY_STRING,
      started_at: ANY_STRING,
      finished_at: ANY_STRING,
      exit_code: 0,
      error: null,
      output_tail: matching('hello'),
      queue_position: null,
      metadata,
    });
    const plain = await submit({ agent: 'echo', prompt: 'no metadata' });
    const shown = await harness.app.request(`/v1/jobs/${String(plain.body.id)}`);
    expect(await shown.json()).toMatchObject({ metadata: null });
    const missing = await harness.app.request('/v1/jobs/job_nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'E_NOT_FOUND', field: 'id' } });
  });

  it('lists newest first, by status, a page at a time', async () => {
    harness = await createHarness({ concurrency: 1 });
    const ids: string[] = [];
    for (const prompt of ['a', 'b', 'c'])
      ids.push((await submit({ agent: 'hold', prompt })).body.id as string);
    const all = (await (await harness.app.request('/v1/jobs')).json()) as { items: { id: string }[] };
    expect(all.items.map((job) => job.id)).toEqual([...ids].reverse());

    const queued = (await (await harness.app.request('/v1/jobs?status=queued')).json()) as {
      items: { id: string }[];
    };
    expect(queued.items.map((job) => job.id)).toEqual([ids[2], ids[1]]);

    const first = (await (await harness.app.request('/v1/jobs?limit=2')).json()) as {
      items: { id: string }[];
      next_cursor: string;
    };
    expect(first.items.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    const next = (await (
      await harness.app.request(`/v1/jobs?limit=2&cursor=${first.next_cursor}`)
    ).json()) as { items: { id: string }[]; next_cursor: string | null };
    expect(next).toMatchObject({ items: [{ id: ids[0] }], next_cursor: null });

    for (const [query, field] of [
      ['status=done', 'status'],
      ['limit=0', 'limit'],
      ['limit=x', 'limit'],
      ['cursor=bogus', 'cursor'],
    ]) {
      const response = await harness.app.request(`/v1/jobs?${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'E_INVALID_REQUEST', field } });
    }
    for (const id of ids) harness.release(id);
    await harness.reach(ids[2]!, 'succeeded');
  });
});

describe('a job whose agent falls silent', () => {
  it('is stalled in GET /v1/jobs/:id and listed by ?status=stalled; a bad idle_timeout_s is a 400', async () => {
    harness = await createHarness();
    const { response, body } = await submit({ agent: 'sleepy', prompt: 'x', idle_timeout_s: 0.3 });
    expect(response.status).toBe(202);
    const id = body.id as string;
    const other = (await submit({ agent: 'echo', prompt: 'talks' })).body.id as string;
    await harness.reach(id, 'stalled');
    await harness.reach(other, 'succeeded');
    const shown = await harness.app.request(`/v1/jobs/${id}`);
    expect(await shown.json()).toMatchObject({
      id,
      status: 'stalled',
      error: 'no output for 0.3 s (idle timeout)',
    });
    expect(alive(Number((await harness.jobs.get(id))?.output_tail))).toBe(false);
    const listed = (await (await harness.app.request('/v1/jobs?status=stalled')).json()) as {
      items: { id: string }[];
    };
    expect(listed.items.map((job) => job.id)).toEqual([id]);

    const refused = await submit({ agent: 'sleepy', prompt: 'x', idle_timeout_s: -1 });
    expect(refused.response.status).toBe(400);
    expect(refused.body).toEqual({
      error: { code: 'E_INVALID_REQUEST', message: matching('idle_timeout_s'), field: 'idle_timeout_s' },
    });
  });
});

describe('GET /v1/jobs/:id/diff', () => {
  it('gives the change of a repository job as text/x-diff', async () => {
    harness = await createHarness();
    const { body } = await submit({ agent: 'hold', prompt: 'write a note', repo: 'app' });
    const id = body.id as string;
    await harness.reach(id, 'running');
    harness.release(id);
    await harness.reach(id, 'succeeded');
    const response = await harness.app.request(`/v1/jobs/${id}/diff`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/x-diff/);
    const diff = await response.text();
    expect(diff).toContain('+++ b/note.txt');
    expect(diff).toContain(`+written by ${id}`);
    expect((await harness.app.request('/v1/jobs/job_nope/diff')).status).toBe(404);
  });
});

describe('DELETE /v1/jobs/:id', () => {
  it('cancels a running job, whose process tree is gone, and a queued one', async () => {
    harness = await createHarness({ concurrency: 1 });
    const running = (await submit({ agent: 'sleepy', prompt: 'x' })).body.id as string;
    const queued = (await submit({ agent: 'hold', prompt: 'never runs' })).body.id as string;
    let grandchild = 0;
    while (grandchild === 0) {
      const log = harness.store.events.list(running).find((event) => event.type === 'job.log');
      grandchild = log?.type === 'job.log' ? Number(log.line) : 0;
      if (grandchild === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(alive(grandchild)).toBe(true);

    const cancelQueued = await harness.app.request(`/v1/jobs/${queued}`, { method: 'DELETE' });
    expect(cancelQueued.status).toBe(200);
    expect(await cancelQueued.json()).toMatchObject({ id: queued, status: 'cancelled' });

    const cancelRunning = await harness.app.request(`/v1/jobs/${running}`, { method: 'DELETE' });
    expect(cancelRunning.status).toBe(200);
    expect(await cancelRunning.json()).toMatchObject({ id: running, status: 'cancelled' });
    expect(alive(grandchild)).toBe(false);

    expect((await harness.app.request('/v1/jobs/job_nope', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('unknown routes', () => {
  it('answer a JSON 404', async () => {
    harness = await createHarness();
    const response = await harness.app.request('/v2/nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'E_NOT_FOUND' } });
  });
});
