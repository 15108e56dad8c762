import { InvalidArgumentError } from './errors.js';
import { assertFunction, describeValue } from './validate.js';

/** Each event's name with the arguments its listeners get, as a tuple: `{ completed: [value: unknown] }`. */
export type EventArgs<E> = { readonly [K in keyof E]: readonly unknown[] };

/** A listener of event `K` of `E`. */
export type Listener<E extends EventArgs<E>, K extends keyof E> = (...args: E[K]) => void;

interface Registration {
  readonly listener: unknown;
  readonly once: boolean;
}

/**
 * A small typed event emitter: only the events of `E`, each listener typed by its event's arguments.
 * Unlike `node:events`, an `error` event with no listener throws nothing, and a listener that throws
 * neither stops the other listeners nor the code that emitted: its error is rethrown on a later
 * microtask (an uncaught exception, as `EventTarget` reports one), so the emitter's owner is never left
 * half-way through a change of its state.
 */
export class Emitter<E extends EventArgs<E>> {
  readonly #names: ReadonlySet<keyof E>;
  /** Replaced, never changed in place, so that `emit` can walk a list while a listener edits it. */
  readonly #listeners = new Map<keyof E, readonly Registration[]>();
  #count = 0;

  /** `names` are the events there are; `on` refuses any other. */
  constructor(names: readonly (keyof E)[]) {
    this.#names = new Set(names);
  }

  /** Whether any listener is registered, so a busy caller can skip building an event nobody hears. */
  get listening(): boolean {
    return this.#count !== 0;
  }

  /** Adds `listener` for `event`; with `once`, it is removed before its first call. */
  on<K extends keyof E>(event: K, listener: Listener<E, K>, once = false): void {
    if (!this.#names.has(event)) {
      const names = [...this.#names].map(String).join(', ');
      throw new InvalidArgumentError(`Expected \`event\` to be one of ${names}, got ${describeValue(event)}`);
    }
    assertFunction('listener', listener);
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), { listener, once }]);
    this.#count++;
  }

  /** Removes one registration of `listener` for `event` (the latest), if there is one. */
  off<K extends keyof E>(event: K, listener: Listener<E, K>): void {
    const registration = this.#listeners.get(event)?.findLast((entry) => entry.listener === listener);
    if (registration !== undefined) this.#remove(event, registration);
  }

  /** Calls the listeners of `event` registered when it is emitted, in the order they were added. */
  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const list = this.#listeners.get(event);
    if (list === undefined) return;
    for (const registration of list) {
      if (registration.once) this.#remove(event, registration);
      try {
        (registration.listener as Listener<E, K>)(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #remove(event: keyof E, registration: Registration): void {
    const list = this.#listeners.get(event);
    // An earlier listener of the same emit may have removed it already.
    if (list?.includes(registration) !== true) return;
    const rest = list.filter((entry) => entry !== registration);
    if (rest.length === 0) this.#listeners.delete(event);
    else this.#listeners.set(event, rest);
    this.#count--;
  }
}
