import { describe, expect, it } from 'vitest';
import { deferred } from '../../test/helpers/deferred.js';
import { FlotillaError } from './errors.js';
import { Lifecycle } from './lifecycle.js';

function lifecycle(restartable = false): Lifecycle {
  return new Lifecycle({
    name: 'widget',
    error: (message) => new FlotillaError('E_STATE', message),
    restartable,
  });
}

describe('Lifecycle', () => {
  it('goes idle → starting → started → stopping → stopped', async () => {
    const life = lifecycle();
    const seen: string[] = [life.state];
    const setup = deferred<void>();
    const starting = life.start(() => setup.promise);
    seen.push(life.state);
    setup.resolve();
    await starting;
    seen.push(life.state);
    const teardown = deferred<void>();
    const stopping = life.stop(() => teardown.promise);
    await Promise.resolve();
    seen.push(life.state);
    teardown.resolve();
    await stopping;
    seen.push(life.state);
    expect(seen).toEqual(['idle', 'starting', 'started', 'stopping', 'stopped']);
  });

  it('guards calls that need a started thing, naming the state', async () => {
    const life = lifecycle();
    expect(() => life.assertStarted()).toThrow('The widget is idle');
    await life.start(() => undefined);
    expect(() => life.assertStarted()).not.toThrow();
    expect(life.started).toBe(true);
    await expect(life.start(() => undefined)).rejects.toThrow('Cannot start a widget that is started');
    await life.stop(() => undefined);
    expect(() => life.assertStarted()).toThrow(expect.objectContaining({ code: 'E_STATE' }) as Error);
    await expect(life.start(() => undefined)).rejects.toThrow('Cannot start a widget that is stopped');
  });

  it('goes back to where it was when the start throws, so the start can be tried again', async () => {
    const life = lifecycle();
    await expect(
      life.start(() => {
        throw new Error('busy');
      }),
    ).rejects.toThrow('busy');
    expect(life.state).toBe('idle');
    await life.start(() => undefined);
    expect(life.state).toBe('started');
  });

  it('tears down once, however many callers stop it, and only what started', async () => {
    const life = lifecycle();
    let teardowns = 0;
    await life.stop(() => void teardowns++);
    expect([life.state, teardowns]).toEqual(['stopped', 0]);

    const other = lifecycle();
    await other.start(() => undefined);
    await Promise.all([other.stop(() => void teardowns++), other.stop(() => void teardowns++)]);
    expect(teardowns).toBe(1);
  });

  it('lets a stop that comes during the start wait for it, then tear down', async () => {
    const life = lifecycle();
    const setup = deferred<void>();
    const order: string[] = [];
    const starting = life.start(async () => {
      await setup.promise;
      order.push('started');
    });
    const stopping = life.stop(() => void order.push('torn down'));
    setup.resolve();
    await Promise.all([starting, stopping]);
    expect(order).toEqual(['started', 'torn down']);
    expect(life.state).toBe('stopped');
  });

  it('starts again after a stop when restartable', async () => {
    const life = lifecycle(true);
    await life.start(() => undefined);
    await life.stop(() => undefined);
    await life.start(() => undefined);
    expect(life.state).toBe('started');
    let torn = false;
    await life.stop(() => void (torn = true));
    expect(torn).toBe(true);
  });
});
