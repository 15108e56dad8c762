/** Where a long-lived thing (a service, an engine, a manager) is in its life. */
export type LifecycleState = 'idle' | 'starting' | 'started' | 'stopping' | 'stopped';

/** Options of a `Lifecycle`. */
export interface LifecycleOptions {
  /** What messages call the thing, without an article: `job service` → `The job service is stopping`. */
  readonly name: string;
  /** Makes the error thrown when the thing is not in a state to do what was asked. */
  readonly error: (message: string) => Error;
  /** Whether a stopped thing may start again. @default false */
  readonly restartable?: boolean;
}

/**
 * The state machine `idle → starting → started → stopping → stopped` of something with `start()` and
 * `stop()`, so that every long-lived part of Flotilla refuses the same things with the same words:
 * - `start` runs from `idle` (or `stopped`, when restartable); a start that throws goes back to where it
 *   was (its setup undoes what it did), so it can be tried again — a home busy now may be free later;
 * - `stop` of a started thing runs its teardown once, and every caller waits for the same teardown; a
 *   thing that never started just becomes `stopped`; a stop during a start waits for the start first;
 * - `assertStarted` guards the calls that need a started thing.
 */
export class Lifecycle {
  readonly #options: LifecycleOptions;
  #state: LifecycleState = 'idle';
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: LifecycleOptions) {
    this.#options = options;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  /** Whether the thing is started (and not stopping). */
  get started(): boolean {
    return this.#state === 'started';
  }

  /**
   * Runs `setup` as the start: `starting`, then `started` when it resolves, back to the state before
   * when it throws.
   * @throws the lifecycle's error when the thing is not idle (or stopped and restartable).
   */
  async start(setup: () => Promise<void> | void): Promise<void> {
    const from = this.#state;
    if (!(from === 'idle' || (from === 'stopped' && this.#options.restartable === true))) {
      throw this.#options.error(`Cannot start a ${this.#options.name} that is ${from}`);
    }
    this.#state = 'starting';
    this.#stopping = undefined;
    const run = (async () => {
      try {
        await setup();
        this.#state = 'started';
      } catch (error) {
        this.#state = from;
        throw error;
      }
    })();
    this.#starting = run;
    try {
      await run;
    } finally {
      this.#starting = undefined;
    }
  }

  /**
   * Runs `teardown` once as the stop of a started thing (`stopping`, then `stopped` however it ends);
   * later and concurrent calls wait for that same stop. A thing that never started becomes `stopped`.
   */
  stop(teardown: () => Promise<void> | void): Promise<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    const run = async (): Promise<void> => {
      // A stop that comes while starting waits for the start, then tears down what it set up.
      if (this.#starting !== undefined) await this.#starting.catch(() => undefined);
      if (this.#state !== 'started') {
        this.#state = 'stopped';
        return;
      }
      this.#state = 'stopping';
      try {
        await teardown();
      } finally {
        this.#state = 'stopped';
      }
    };
    this.#stopping = run();
    return this.#stopping;
  }

  /** @throws the lifecycle's error unless the thing is started. */
  assertStarted(): void {
    if (this.#state !== 'started') throw this.#options.error(`The ${this.#options.name} is ${this.#state}`);
  }
}
