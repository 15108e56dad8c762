import { describe, expect, it } from 'vitest';
import { newRequestId } from './request-id.js';
import { createHarness, jsonRequest } from './server.fixture.js';

const GENERATED = /^req_[0-9a-f]{24}$/;

describe('x-request-id', () => {
  it('is random in every digit: no fixed digit of the UUID it is cut from is left in', () => {
    const ids = Array.from({ length: 200 }, () => newRequestId().slice('req_'.length));
    for (let digit = 0; digit < 24; digit++) {
      expect(new Set(ids.map((id) => id[digit])).size).toBeGreaterThan(1);
    }
  });

  it('is on every response, refusals of the guard and the bearer check included, a new one each', async () => {
    const harness = await createHarness({ token: 'secret' });
    const auth = { authorization: 'Bearer secret' };
    const responses = [
      await harness.app.request('/health'),
      await harness.app.request('/v1/jobs', { headers: auth }),
      await harness.app.request('/v2/nothing', { headers: auth }),
      await harness.app.request('/v1/jobs'),
      await harness.app.request('/v1/jobs', { headers: { ...auth, origin: 'https://evil.example' } }),
      await harness.app.request('/v1/jobs', jsonRequest('POST', '{', auth)),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 200, 404, 401, 403, 400]);
    const ids = responses.map((response) => response.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(GENERATED);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never echoes the id a client sends', async () => {
    const harness = await createHarness();
    const response = await harness.app.request('/health', { headers: { 'x-request-id': 'req_mine' } });
    expect(response.headers.get('x-request-id')).toMatch(GENERATED);
  });

  it('is on a stream, sent before its first message', async () => {
    const harness = await createHarness();
    const { url } = await harness.listen();
    const job = await harness.jobs.submit({ agent: 'echo', prompt: 'x' });
    await harness.reach(job.id, 'succeeded');
    const response = await fetch(`${url}/v1/jobs/${job.id}/events`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-request-id')).toMatch(GENERATED);
    await response.body?.cancel();
  });
});
