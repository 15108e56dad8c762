import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { deferred, flush, type Deferred } from '../../test/helpers/deferred.js';
import { InvalidArgumentError, QueueFullError } from './errors.js';
import { Limiter } from './limiter.js';

/** Submits `count` tasks that each wait for the test to finish them; records start order. */
function submit(limiter: Limiter, count: number, priorities: number[] = []) {
  const started: number[] = [];
  const gates: Deferred<number>[] = [];
  const results = Array.from({ length: count }, (_, i) => {
    const gate = deferred<number>();
    gates.push(gate);
    return limiter.run(
      () => {
        started.push(i);
        return gate.promise;
      },
      { priority: priorities[i] ?? 0 },
    );
  });
  return { started, gates, results };
}

describe('Limiter', () => {
  it('runs exactly `concurrency` tasks while work waits, and starts the next as one finishes', async () => {
    const limiter = new Limiter({ concurrency: 3 });
    const { started, gates, results } = submit(limiter, 8);
    await flush();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.stats).toMatchObject({ active: 3, queued: 5, capacity: 3 });

    gates[1]!.resolve(1);
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(limiter.stats).toMatchObject({ active: 3, queued: 4 });

    for (const [i, gate] of gates.entries()) gate.resolve(i);
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(limiter.stats).toMatchObject({ active: 0, queued: 0, peak: 3 });
  });

  it('starts waiting tasks in FIFO order among equal priorities, higher priority first', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const { started, gates } = submit(limiter, 6, [0, 0, 5, 0, 5, 9]);
    await flush();
    for (let i = 0; i < 6; i++) {
      // Finish whichever task is running; the limiter picks the next.
      gates[started.at(-1)!]!.resolve(0);
      await flush();
    }
    expect(started).toEqual([0, 5, 2, 4, 1, 3]);
  });

  it('rejects with QueueFullError when maxQueue tasks already wait, and accepts again once one starts', async () => {
    const limiter = new Limiter({ concurrency: 1, maxQueue: 2 });
    const { gates } = submit(limiter, 3);
    expect(limiter.accepts()).toBe(false);
    const refused = limiter.run(() => 'never');
    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    await expect(refused).rejects.toMatchObject({ code: 'E_QUEUE_FULL', queued: 2, maxQueue: 2 });
    expect(limiter.stats.queued).toBe(2);

    gates[0]!.resolve(0);
    await flush();
    expect(limiter.stats.queued).toBe(1);
    const accepted = limiter.run(() => 'ran');
    for (const gate of gates) gate.resolve(0);
    await expect(accepted).resolves.toBe('ran');
  });

  it('with maxQueue 0 runs what fits and refuses the rest', async () => {
    const limiter = new Limiter({ concurrency: 1, maxQueue: 0 });
    expect(limiter.accepts()).toBe(true);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    await expect(limiter.run(() => 1)).rejects.toMatchObject({ code: 'E_QUEUE_FULL' });
    gate.resolve();
    await first;
  });

  it('takes an aborted waiting task out of the queue and rejects with the reason, never running it', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const gate = deferred();
    void limiter.run(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const aborted = limiter.run(
      () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    const after = limiter.run(() => 'after');
    expect(limiter.stats.queued).toBe(2);

    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(limiter.stats.queued).toBe(1);

    gate.resolve();
    await expect(after).resolves.toBe('after');
    expect(ran).toBe(false);
  });

  it('rejects a task whose signal is already aborted without running it', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    await expect(limiter.run(() => 1, { signal: AbortSignal.abort('gone') })).rejects.toBe('gone');
    expect(limiter.stats).toMatchObject({ active: 0, peak: 0 });
  });

  it('hands the caller’s signal to the running task', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const controller = new AbortController();
    const seen = await limiter.run((signal) => signal, { signal: controller.signal });
    expect(seen).toBe(controller.signal);
    const fallback = await limiter.run((signal) => signal);
    expect(fallback.aborted).toBe(false);
  });

  it('resize grows at once and shrinks by letting running tasks finish', async () => {
    const limiter = new Limiter({ concurrency: 2 });
    const { started, gates } = submit(limiter, 8);
    await flush();
    expect(started).toEqual([0, 1]);

    limiter.resize(4);
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);

    limiter.resize(1);
    gates[0]!.resolve(0);
    gates[1]!.resolve(0);
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(limiter.stats.active).toBe(2);
    gates[2]!.resolve(0);
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[3]!.resolve(0);
    await flush();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.stats.active).toBe(1);
    for (const gate of gates) gate.resolve(0);
    await limiter.onIdle();
    expect(limiter.stats.peak).toBe(4);
  });

  it('setMaxQueue keeps tasks already waiting beyond a smaller bound', async () => {
    const limiter = new Limiter({ concurrency: 1, maxQueue: 5 });
    const { gates, results } = submit(limiter, 4);
    limiter.setMaxQueue(1);
    expect(limiter.stats).toMatchObject({ queued: 3, maxQueue: 1 });
    await expect(limiter.run(() => 0)).rejects.toBeInstanceOf(QueueFullError);
    for (const [i, gate] of gates.entries()) gate.resolve(i);
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
  });

  it('onIdle resolves at once when idle and after the last task otherwise', async () => {
    const limiter = new Limiter({ concurrency: 2 });
    await limiter.onIdle();
    const { gates } = submit(limiter, 3);
    let idle = false;
    void limiter.onIdle().then(() => (idle = true));
    gates[0]!.resolve(0);
    gates[1]!.resolve(0);
    await flush();
    expect(idle).toBe(false);
    gates[2]!.resolve(0);
    await flush();
    expect(idle).toBe(true);
  });

  it('releases the slot when a task throws synchronously or rejects', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    await expect(
      limiter.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(limiter.run(() => Promise.reject(new Error('async')))).rejects.toThrow('async');
    await expect(limiter.run(() => 'still works')).resolves.toBe('still works');
    expect(limiter.stats.active).toBe(0);
  });

  it('runs a queued task in the async context of its caller, not of the task that freed its slot', async () => {
    const store = new AsyncLocalStorage<string>();
    const limiter = new Limiter({ concurrency: 1 });
    const gate = deferred();
    const busy = store.run('busy', () => limiter.run(() => gate.promise.then(() => store.getStore())));
    const a = store.run('a', () => limiter.run(() => store.getStore()));
    const b = store.run('b', () =>
      limiter.run(async (signal) => (await Promise.resolve(signal), store.getStore())),
    );
    expect(limiter.stats.queued).toBe(2);
    gate.resolve();
    expect(await Promise.all([busy, a, b])).toEqual(['busy', 'a', 'b']);
  });

  it('validates its options eagerly, naming the option, the value and its type', async () => {
    expect(() => new Limiter({ concurrency: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Limiter({ concurrency: 1.5 })).toThrow(
      'Expected `concurrency` to be an integer ≥ 1 or Infinity, got 1.5 (number)',
    );
    expect(() => new Limiter({ concurrency: '2' as unknown as number })).toThrow('got "2" (string)');
    expect(() => new Limiter({ concurrency: 1, maxQueue: -1 })).toThrow('`maxQueue`');
    await expect(new Limiter({ concurrency: 1 }).run(() => 1, { priority: Number.NaN })).rejects.toThrow(
      '`priority`',
    );
    const limiter = new Limiter({ concurrency: Infinity });
    expect(() => limiter.resize(0)).toThrow('`concurrency`');
    expect(limiter.stats.capacity).toBe(Infinity);
  });

  describe('groups', () => {
    /** Submits tasks in groups; records start order by label. */
    function submitGrouped(limiter: Limiter, groups: string[]) {
      const started: string[] = [];
      const gates = new Map<string, Deferred<void>>();
      const results = groups.map((group, i) => {
        const label = `${group}${i}`;
        const gate = deferred();
        gates.set(label, gate);
        return limiter.run(
          () => {
            started.push(label);
            return gate.promise;
          },
          { group },
        );
      });
      return { started, gates, results };
    }

    it('caps a group under the global bound and lets other groups pass a capped head', async () => {
      const limiter = new Limiter({ concurrency: 4 });
      limiter.setGroupLimit('a', 2);
      const { started, gates, results } = submitGrouped(limiter, ['a', 'a', 'a', 'b', 'b', 'a']);
      await flush();
      expect(started).toEqual(['a0', 'a1', 'b3', 'b4']);
      expect(limiter.groupStats('a')).toEqual({ active: 2, limit: 2 });

      gates.get('b3')!.resolve();
      await flush();
      // A slot is free but only group-a tasks wait, and group a is full.
      expect(started).toEqual(['a0', 'a1', 'b3', 'b4']);
      expect(limiter.stats).toMatchObject({ active: 3, queued: 2 });

      gates.get('a0')!.resolve();
      await flush();
      expect(started).toEqual(['a0', 'a1', 'b3', 'b4', 'a2']);
      for (const gate of gates.values()) gate.resolve();
      await Promise.all(results);
      expect(started).toEqual(['a0', 'a1', 'b3', 'b4', 'a2', 'a5']);
    });

    it('starts a new task of a group with room at once, even when capped tasks wait', async () => {
      const limiter = new Limiter({ concurrency: 3 });
      limiter.setGroupLimit('a', 1);
      const { started } = submitGrouped(limiter, ['a', 'a', 'a']);
      await flush();
      expect(started).toEqual(['a0']);
      let ran = false;
      await limiter.run(() => (ran = true), { group: 'b' });
      expect(ran).toBe(true);
      await limiter.run(() => 'no group');
      expect(limiter.stats.queued).toBe(2);
    });

    it('raising or lifting a limit starts waiting tasks at once', async () => {
      const limiter = new Limiter({ concurrency: 10 });
      limiter.setGroupLimit('a', 1);
      const { started } = submitGrouped(limiter, ['a', 'a', 'a', 'a']);
      await flush();
      expect(started).toHaveLength(1);
      limiter.setGroupLimit('a', 2);
      await flush();
      expect(started).toHaveLength(2);
      limiter.setGroupLimit('a', Infinity);
      await flush();
      expect(started).toHaveLength(4);
      expect(() => limiter.setGroupLimit('a', 0)).toThrow('`limit`');
    });
  });
});
