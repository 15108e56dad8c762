import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { Emitter } from './typed-emitter.js';

interface Events {
  readonly ping: [count: number];
  readonly done: [];
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Emitter', () => {
  it('calls the listeners of an event in the order they were added; once-listeners once; off removes', () => {
    const emitter = new Emitter<Events>(['ping', 'done']);
    const heard: string[] = [];
    const first = (count: number) => heard.push(`first ${count}`);
    emitter.on('ping', first);
    emitter.on('ping', (count) => heard.push(`once ${count}`), true);
    emitter.on('done', () => heard.push('done'));
    expect(emitter.listening).toBe(true);
    emitter.emit('ping', 1);
    emitter.emit('ping', 2);
    emitter.off('ping', first);
    emitter.emit('ping', 3);
    emitter.emit('done');
    expect(heard).toEqual(['first 1', 'once 1', 'first 2', 'done']);
  });

  it('tells whether anything listens, so a caller can skip emitting', () => {
    const emitter = new Emitter<Events>(['ping', 'done']);
    expect(emitter.listening).toBe(false);
    const listener = () => undefined;
    emitter.on('done', listener);
    emitter.off('done', listener);
    emitter.off('done', listener);
    expect(emitter.listening).toBe(false);
    emitter.on('done', listener, true);
    emitter.emit('done');
    expect(emitter.listening).toBe(false);
  });

  it('rethrows a listener’s error on a later microtask and still calls the other listeners', () => {
    const later: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => void later.push(callback));
    const emitter = new Emitter<Events>(['ping', 'done']);
    const broken = new Error('listener broke');
    const heard: number[] = [];
    emitter.on('ping', () => {
      throw broken;
    });
    emitter.on('ping', (count) => heard.push(count));
    expect(() => emitter.emit('ping', 7)).not.toThrow();
    expect(heard).toEqual([7]);
    expect(later).toHaveLength(1);
    expect(() => later[0]!()).toThrow(broken);
  });

  it('refuses an event it does not have and a listener that is not a function', () => {
    const emitter = new Emitter<Events>(['ping', 'done']);
    // @ts-expect-error not one of the events.
    expect(() => emitter.on('pong', () => undefined)).toThrow(InvalidArgumentError);
    // @ts-expect-error not one of the events.
    expect(() => emitter.on('pong', () => undefined)).toThrow(
      'Expected `event` to be one of ping, done, got "pong" (string)',
    );
    expect(() => emitter.on('ping', 'log' as unknown as () => void)).toThrow(
      'Expected `listener` to be a function, got "log" (string)',
    );
    // @ts-expect-error a ping listener gets a number.
    emitter.on('ping', (count: string) => count);
  });
});
