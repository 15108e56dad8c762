import { describe, expect, it } from 'vitest';
import { createHarness, sseBlocks, type Harness, type SseBlock } from './server.fixture.js';

let harness: Harness;

async function serve(options: { heartbeatMs?: number } = {}): Promise<string> {
  harness = await createHarness(options);
  return (await harness.listen()).url;
}

async function submit(url: string, body: unknown): Promise<string> {
  const response = await fetch(`${url}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return ((await response.json()) as { id: string }).id;
}

/** Every message of a stream until the server closes it. */
async function collect(response: Response): Promise<SseBlock[]> {
  const blocks: SseBlock[] = [];
  for await (const block of sseBlocks(response)) if (block.comment === undefined) blocks.push(block);
  return blocks;
}

describe('GET /v1/jobs/:id/events', () => {
  it('streams live events named status, log and result with seq ids, and closes after the result', async () => {
    const url = await serve();
    const id = await submit(url, { agent: 'hold', prompt: 'x' });
    const response = await fetch(`${url}/v1/jobs/${id}/events`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const blocks: SseBlock[] = [];
    for await (const block of sseBlocks(response)) {
      if (block.comment !== undefined) continue;
      blocks.push(block);
      // The job waits for us: release it once its first line has been streamed.
      if (block.event === 'log' && (JSON.parse(block.data!) as { line: string }).line === `start ${id}`)
        harness.release(id);
    }
    expect(blocks.map((block) => block.event)).toEqual(['status', 'status', 'log', 'log', 'result']);
    const events = blocks.map((block) => JSON.parse(block.data!) as { type: string; seq: number });
    expect(events.map((event) => event.type)).toEqual([
      'job.status',
      'job.status',
      'job.log',
      'job.log',
      'job.result',
    ]);
    expect(blocks.map((block) => Number(block.id))).toEqual(events.map((event) => event.seq));
    expect(JSON.parse(blocks.at(-1)!.data!)).toMatchObject({ status: 'succeeded', exitCode: 0 });
  });

  it('replays stored events after Last-Event-ID, then follows live ones without gaps or repeats', async () => {
    const url = await serve();
    const id = await submit(url, { agent: 'hold', prompt: 'x' });
    await harness.reach(id, 'running');
    // Wait until the first line is stored, then resume from the event before it.
    while (!harness.store.events.list(id).some((event) => event.type === 'job.log')) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const stored = harness.store.events.list(id);
    const resumeAfter = stored[1]!.seq;
    const response = await fetch(`${url}/v1/jobs/${id}/events`, {
      headers: { 'last-event-id': String(resumeAfter) },
    });
    const reader = sseBlocks(response);
    const replayed = (await reader.next()).value as SseBlock;
    expect(Number(replayed.id)).toBe(stored[2]!.seq);
    expect(replayed.event).toBe('log');
    harness.release(id);
    const rest: SseBlock[] = [];
    for await (const block of reader) if (block.comment === undefined) rest.push(block);
    const all = [replayed, ...rest].map((block) => Number(block.id));
    expect(all).toEqual(harness.store.events.list(id, { afterSeq: resumeAfter }).map((event) => event.seq));
    expect(rest.at(-1)?.event).toBe('result');

    // A finished job replays and closes at once; resuming after its last event closes with nothing.
    expect((await collect(await fetch(`${url}/v1/jobs/${id}/events`))).at(-1)?.event).toBe('result');
    const last = harness.store.events.list(id).at(-1)!.seq;
    const none = await fetch(`${url}/v1/jobs/${id}/events`, { headers: { 'last-event-id': String(last) } });
    expect(await collect(none)).toEqual([]);
  });

  it('refuses an unknown job with 404 and a bad Last-Event-ID with 400', async () => {
    const url = await serve();
    expect((await fetch(`${url}/v1/jobs/job_nope/events`)).status).toBe(404);
    const id = await submit(url, { agent: 'echo', prompt: 'x' });
    const response = await fetch(`${url}/v1/jobs/${id}/events`, { headers: { 'last-event-id': 'abc' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { field: 'Last-Event-ID' } });
  });

  it('sends heartbeat comments and removes its bus listener when the client goes away', async () => {
    const url = await serve({ heartbeatMs: 20 });
    const id = await submit(url, { agent: 'hold', prompt: 'x' });
    const before = harness.jobs.bus.listenerCount;
    const client = new AbortController();
    const response = await fetch(`${url}/v1/jobs/${id}/events`, { signal: client.signal });
    let heartbeats = 0;
    try {
      for await (const block of sseBlocks(response)) {
        expect(harness.jobs.bus.listenerCount).toBe(before + 1);
        if (block.comment !== undefined && ++heartbeats === 2) client.abort();
      }
    } catch (error) {
      expect((error as Error).name).toBe('AbortError');
    }
    expect(heartbeats).toBe(2);
    while (harness.jobs.bus.listenerCount !== before) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(harness.jobs.bus.listenerCount).toBe(before);
    harness.release(id);
    await harness.reach(id, 'succeeded');
  });

  it('ends open streams when the server closes', async () => {
    harness = await createHarness();
    const server = await harness.listen();
    const id = await submit(server.url, { agent: 'hold', prompt: 'x' });
    const before = harness.jobs.bus.listenerCount;
    const response = await fetch(`${server.url}/v1/jobs/${id}/events`);
    const reader = sseBlocks(response);
    await reader.next();
    const closed = server.close();
    const rest: SseBlock[] = [];
    for await (const block of reader) rest.push(block);
    await closed;
    expect(harness.jobs.bus.listenerCount).toBe(before);
    expect((await harness.jobs.get(id))?.status).toBe('running');
  });
});
