import { describe, expect, it } from 'vitest';
import { createHarness, jsonRequest, type Harness } from './server.fixture.js';

let harness: Harness;

const patch = (body: unknown) => harness.app.request('/api/server-config', jsonRequest('PATCH', body));

describe('GET /health', () => {
  it('reports load and capacity', async () => {
    harness = await createHarness({ concurrency: 1, maxQueue: 5 });
    expect(await (await harness.app.request('/health')).json()).toEqual({
      status: 'ok',
      busy: false,
      active: 0,
      queued: 0,
      capacity: 1,
      max_queue: 5,
    });
    const job = await harness.jobs.submit({ agent: 'hold', prompt: 'x' });
    await harness.jobs.submit({ agent: 'hold', prompt: 'y' });
    expect(await (await harness.app.request('/health')).json()).toMatchObject({
      busy: true,
      active: 1,
      queued: 1,
    });
    harness.release(job.id);
  });
});

describe('/api/server-config', () => {
  it('shows the bounds with their caps', async () => {
    harness = await createHarness({
      concurrency: 3,
      maxQueue: 7,
      agents: { capped: { type: 'cli', command: ['true'], concurrency: 2 } },
    });
    expect(await (await harness.app.request('/api/server-config')).json()).toEqual({
      concurrency: 3,
      max_queue: 7,
      caps: {
        concurrency: { min: 1, max: 1000 },
        max_queue: { min: 0, max: 1_000_000 },
        agent_concurrency: { capped: 2 },
      },
    });
  });

  it('applies a change live: a queued job starts when concurrency grows', async () => {
    harness = await createHarness({ concurrency: 1 });
    const first = await harness.jobs.submit({ agent: 'hold', prompt: 'a' });
    const second = await harness.jobs.submit({ agent: 'hold', prompt: 'b' });
    expect((await harness.jobs.get(second.id))?.status).toBe('queued');
    const response = await patch({ concurrency: 2, max_queue: 10 });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ concurrency: 2, max_queue: 10 });
    await harness.reach(second.id, 'running');
    expect(harness.jobs.health()).toMatchObject({ active: 2, capacity: 2, max_queue: 10 });
    harness.release(first.id);
    harness.release(second.id);
    await harness.reach(second.id, 'succeeded');
  });

  it('lowering max_queue keeps the jobs already waiting and refuses new ones', async () => {
    harness = await createHarness({ concurrency: 1, maxQueue: 5 });
    const ids: string[] = [];
    for (const prompt of ['a', 'b', 'c']) ids.push((await harness.jobs.submit({ agent: 'hold', prompt })).id);
    expect((await patch({ max_queue: 0 })).status).toBe(200);
    const refused = await harness.app.request(
      '/v1/jobs',
      jsonRequest('POST', { agent: 'hold', prompt: 'd' }),
    );
    expect(refused.status).toBe(429);
    for (const id of ids) {
      await harness.reach(id, 'running');
      harness.release(id);
    }
    await harness.reach(ids[2]!, 'succeeded');
  });

  it.each([
    [{ concurrency: 0 }, 'concurrency'],
    [{ concurrency: 1.5 }, 'concurrency'],
    [{ concurrency: '4' }, 'concurrency'],
    [{ max_queue: -1 }, 'max_queue'],
    [{ rate: 3 }, 'rate'],
  ])('refuses %j with 400 naming the field, changing nothing', async (body, field) => {
    harness = await createHarness({ concurrency: 2, maxQueue: 9 });
    const response = await patch(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'E_INVALID_REQUEST', field } });
    expect(harness.jobs.health()).toMatchObject({ capacity: 2, max_queue: 9 });
  });
});
