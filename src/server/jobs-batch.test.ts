import { describe, expect, it } from 'vitest';
import { MAX_JOB_BATCH } from '../jobs/index.js';
import { createHarness, jsonRequest, matching, type Harness } from './server.fixture.js';

/*
 * `POST /v1/jobs` with `{jobs: [...]}`: a batch is accepted whole or not at all, like BullMQ's addBulk.
 */

let harness: Harness;

async function post(body: unknown) {
  const response = await harness.app.request('/v1/jobs', jsonRequest('POST', body));
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

const stored = () => harness.store.jobs.list({}).items;

describe('POST /v1/jobs with {jobs: [...]}', () => {
  it('accepts the batch whole: one answer per job in its order, each stored, queued in that order and run', async () => {
    harness = await createHarness({ concurrency: 1, maxQueue: 5 });
    const prompts = ['one', 'two', 'three', 'four'];
    const { status, json } = await post({ jobs: prompts.map((prompt) => ({ agent: 'hold', prompt })) });
    expect(status).toBe(202);
    const jobs = json['jobs'] as { id: string; status: string; position: number }[];
    expect(jobs).toEqual([
      { id: matching(/^job_/), status: 'running', position: 0 },
      { id: matching(/^job_/), status: 'queued', position: 1 },
      { id: matching(/^job_/), status: 'queued', position: 2 },
      { id: matching(/^job_/), status: 'queued', position: 3 },
    ]);
    expect(jobs.map(({ id }) => harness.store.jobs.get(id)?.prompt)).toEqual(prompts);
    // The same queue as single submissions: a job sent after the batch waits behind it.
    const after = await post({ agent: 'hold', prompt: 'after' });
    expect(after.json).toMatchObject({ status: 'queued', position: 4 });
    for (const { id } of jobs) {
      await harness.reach(id, 'running');
      harness.release(id);
      await harness.reach(id, 'succeeded');
    }
    harness.release(after.json['id'] as string);
    await harness.reach(after.json['id'] as string, 'succeeded');
  });

  it.each([
    [
      'a bad request among good ones',
      {
        jobs: [
          { agent: 'echo', prompt: 'ok' },
          { agent: 'nope', prompt: 'x' },
        ],
      },
      'jobs[1].agent',
      'E_AGENT_UNKNOWN',
    ],
    [
      'a bad field type',
      {
        jobs: [
          { agent: 'echo', prompt: 'ok' },
          { agent: 'echo', prompt: 7 },
        ],
      },
      'jobs[1].prompt',
      'E_INVALID_REQUEST',
    ],
    [
      'an item that is not an object',
      { jobs: [{ agent: 'echo', prompt: 'ok' }, 'run it'] },
      'jobs[1]',
      'E_INVALID_REQUEST',
    ],
    ['jobs that is not an array', { jobs: { agent: 'echo', prompt: 'x' } }, 'jobs', 'E_INVALID_REQUEST'],
    ['an empty batch', { jobs: [] }, 'jobs', 'E_INVALID_REQUEST'],
    [
      'a field beside jobs',
      { jobs: [{ agent: 'echo', prompt: 'x' }], agent: 'echo' },
      'agent',
      'E_INVALID_REQUEST',
    ],
  ])('refuses %s with 400 naming the field, creating nothing', async (_what, body, field, code) => {
    harness = await createHarness();
    const { status, json } = await post(body);
    expect(status).toBe(400);
    expect(json).toEqual({ error: { code, message: matching(field), field } });
    expect(stored()).toHaveLength(0);
  });

  it(`refuses a batch over ${MAX_JOB_BATCH} jobs, or larger than the queue can ever hold, with 400`, async () => {
    harness = await createHarness({ maxQueue: 3 });
    const job = { agent: 'echo', prompt: 'x' };
    const huge = await post({ jobs: Array.from({ length: MAX_JOB_BATCH + 1 }, () => job) });
    expect(huge.status).toBe(400);
    expect(huge.json).toMatchObject({
      error: { field: 'jobs', message: matching(`at most ${MAX_JOB_BATCH}`) },
    });
    const over = await post({ jobs: [job, job, job, job] });
    expect(over.status).toBe(400);
    expect(over.json).toMatchObject({ error: { field: 'jobs', message: matching('server.max_queue') } });
    expect(stored()).toHaveLength(0);
  });

  it('answers a batch that does not fit the queue now with 429 and Retry-After, creating none of it', async () => {
    harness = await createHarness({ concurrency: 1, maxQueue: 3 });
    const first = await post({
      jobs: [
        { agent: 'hold', prompt: 'a' },
        { agent: 'hold', prompt: 'b' },
      ],
    });
    expect(first.status).toBe(202);
    const refused = await post({
      jobs: [
        { agent: 'hold', prompt: 'c' },
        { agent: 'hold', prompt: 'd' },
        { agent: 'hold', prompt: 'e' },
      ],
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.json).toMatchObject({ error: { code: 'E_QUEUE_FULL' } });
    expect(stored()).toHaveLength(2);
    // Room for two more: a batch of two fits.
    const fits = await post({
      jobs: [
        { agent: 'hold', prompt: 'c' },
        { agent: 'hold', prompt: 'd' },
      ],
    });
    expect(fits.status).toBe(202);
    const ids = [...(first.json['jobs'] as { id: string }[]), ...(fits.json['jobs'] as { id: string }[])].map(
      ({ id }) => id,
    );
    for (const id of ids) harness.release(id);
    for (const id of ids) await harness.reach(id, 'succeeded');
  });

  it('answers each place in the order jobs start: higher priority first, then first come; a cancel moves the rest up', async () => {
    harness = await createHarness({ concurrency: 1, maxQueue: 10 });
    type Placed = { id: string; position: number };
    const place = async (body: object) => (await post(body)).json as Placed;
    const running = await place({ agent: 'hold', prompt: 'runs' });
    const batch = (
      await post({
        jobs: [
          { agent: 'hold', prompt: 'a' },
          { agent: 'hold', prompt: 'b' },
        ],
      })
    ).json;
    const [a, b] = batch['jobs'] as Placed[];
    expect([running.position, a!.position, b!.position]).toEqual([0, 1, 2]);
    const urgent = await place({ agent: 'hold', prompt: 'urgent', priority: 5 });
    expect(urgent.position).toBe(1);
    expect((await place({ agent: 'hold', prompt: 'urgent too', priority: 5 })).position).toBe(2);
    expect((await place({ agent: 'hold', prompt: 'low', priority: -1 })).position).toBe(5);
    await harness.app.request(`/v1/jobs/${a!.id}`, { method: 'DELETE' });
    expect((await place({ agent: 'hold', prompt: 'after the cancel' })).position).toBe(4);
    // The same place GET /v1/jobs/:id counts from the store.
    const shown = (await (await harness.app.request(`/v1/jobs/${b!.id}`)).json()) as {
      queue_position: number;
    };
    expect(shown.queue_position).toBe(3);
  });
});
