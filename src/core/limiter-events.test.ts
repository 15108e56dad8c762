import { describe, expect, it } from 'vitest';
import { deferred, flush } from '../../test/helpers/deferred.js';
import { InvalidArgumentError } from './errors.js';
import { Limiter } from './limiter.js';
import { LIMITER_EVENTS } from './limiter-options.js';

/** Records every event of `limiter` as `name` or `name:payload`. */
function record(limiter: Limiter): string[] {
  const heard: string[] = [];
  for (const event of LIMITER_EVENTS) {
    if (event === 'completed') limiter.on(event, (value) => heard.push(`completed:${String(value)}`));
    else if (event === 'error') limiter.on(event, (error) => heard.push(`error:${(error as Error).message}`));
    else limiter.on(event, () => heard.push(event));
  }
  return heard;
}

describe('Limiter events', () => {
  it('tell each step of a task: add, active, completed or error, next; then empty and idle', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const heard = record(limiter);
    const first = deferred<string>();
    const second = deferred<string>();
    const results = [limiter.run(() => first.promise), limiter.run(() => second.promise)];
    expect(heard).toEqual(['add', 'active', 'add']);
    first.resolve('one');
    await flush();
    expect(heard.slice(3)).toEqual(['completed:one', 'active', 'empty', 'next']);
    second.reject(new Error('two broke'));
    await Promise.allSettled(results);
    expect(heard.slice(7)).toEqual(['error:two broke', 'idle', 'next']);
  });

  it('tell a task that leaves the queue without running (aborted, cleared) with next, and no error', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const gate = deferred();
    void limiter.run(() => gate.promise);
    const controller = new AbortController();
    const aborted = limiter.run(() => 'never', { signal: controller.signal });
    const cleared = limiter.run(() => 'never');
    const heard = record(limiter);
    controller.abort(new Error('no longer wanted'));
    await expect(aborted).rejects.toThrow('no longer wanted');
    expect(heard).toEqual(['next']);
    limiter.clear();
    await expect(cleared).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(heard).toEqual(['next', 'empty', 'next']);
    gate.resolve();
    await limiter.onIdle();
    expect(heard).toEqual(['next', 'empty', 'next', 'completed:undefined', 'idle', 'next']);
  });

  it('once hears one event; off stops a listener', async () => {
    const limiter = new Limiter({ concurrency: 2 });
    const once: unknown[] = [];
    const always: unknown[] = [];
    const listener = (value: unknown) => always.push(value);
    limiter.once('completed', (value) => once.push(value)).on('completed', listener);
    await limiter.run(() => 1);
    await limiter.run(() => 2);
    limiter.off('completed', listener);
    await limiter.run(() => 3);
    expect(once).toEqual([1]);
    expect(always).toEqual([1, 2]);
  });

  it('a listener that enqueues work sees the slot of the task that just started as taken', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const seen: number[] = [];
    limiter.once('active', () => {
      seen.push(limiter.stats.active);
      void limiter.run(() => seen.push(limiter.stats.active));
    });
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    expect(limiter.stats).toMatchObject({ active: 1, queued: 1 });
    gate.resolve();
    await first;
    await limiter.onIdle();
    expect(seen).toEqual([1, 1]);
    expect(limiter.stats.peak).toBe(1);
  });

  it('refuses an unknown event', () => {
    // @ts-expect-error not an event of a Limiter.
    expect(() => new Limiter({ concurrency: 1 }).on('finished', () => undefined)).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('Limiter waits', () => {
  it('onEmpty resolves once nothing waits, while tasks may still run', async () => {
    const limiter = new Limiter({ concurrency: 2 });
    await limiter.onEmpty();
    const gates = [deferred(), deferred(), deferred()];
    for (const gate of gates) void limiter.run(() => gate.promise);
    let empty = false;
    void limiter.onEmpty().then(() => (empty = true));
    await flush();
    expect(empty).toBe(false);
    gates[0]!.resolve();
    await flush();
    expect(empty).toBe(true);
    expect(limiter.stats).toMatchObject({ active: 2, queued: 0 });
    for (const gate of gates) gate.resolve();
  });

  it('onSizeLessThan resolves once fewer than `limit` tasks wait', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const gates = [deferred(), deferred(), deferred(), deferred()];
    for (const gate of gates) void limiter.run(() => gate.promise);
    expect(limiter.stats.queued).toBe(3);
    let below = false;
    void limiter.onSizeLessThan(2).then(() => (below = true));
    gates[0]!.resolve();
    await flush();
    expect(below).toBe(false);
    gates[1]!.resolve();
    await flush();
    expect(below).toBe(true);
    expect(limiter.stats.queued).toBe(1);
    await limiter.onSizeLessThan(2);
    await expect(limiter.onSizeLessThan(0)).rejects.toThrow('Expected `limit` to be an integer ≥ 1, got 0');
    for (const gate of gates) gate.resolve();
  });

  it('onIdle waits for a paused queue until it is started and has run', async () => {
    const limiter = new Limiter({ concurrency: 1, paused: true });
    const ran: number[] = [];
    const results = [1, 2].map((n) => limiter.run(() => ran.push(n)));
    let idle = false;
    void limiter.onIdle().then(() => (idle = true));
    await flush();
    expect({ idle, ran }).toEqual({ idle: false, ran: [] });
    limiter.start();
    await Promise.all(results);
    await flush();
    expect({ idle, ran }).toEqual({ idle: true, ran: [1, 2] });
  });
});
