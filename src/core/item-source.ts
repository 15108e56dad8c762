import { InvalidArgumentError } from './errors.js';
import { describeValue } from './validate.js';

/** What `mapOrdered` and `mapOrderedIterable` read: an array, any iterable, or an async iterable. */
export type Items<T> = Iterable<T> | AsyncIterable<T>;

/** What a read gives once the items have run out. */
export const DONE: unique symbol = Symbol('done');

/**
 * Asserts that `value` is an iterable or an async iterable; the error names the argument. A number or a
 * plain object is refused here rather than read as no items.
 */
export function assertItems(name: string, value: unknown): asserts value is Items<unknown> {
  const candidate = value as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null;
  if (
    candidate === null ||
    candidate === undefined ||
    (typeof candidate[Symbol.iterator] !== 'function' &&
      typeof candidate[Symbol.asyncIterator] !== 'function')
  ) {
    throw new InvalidArgumentError(
      `Expected \`${name}\` to be an iterable or an async iterable, got ${describeValue(value)}`,
    );
  }
}

type AnyIterator<T> = Iterator<T> | AsyncIterator<T>;

/**
 * Items read one at a time, only when asked for, so that a run which stops early never reads the rest
 * (an endless generator, a database cursor, a paginated API). An array is read by index; an async
 * iterable is preferred over a sync one when a value is both, as `for await` does.
 */
export class ItemSource<T> {
  /** Whether reads go through `nextAsync` (an async iterable) rather than `nextSync`. */
  readonly isAsync: boolean;
  readonly #list: readonly T[] | undefined;
  #index = 0;
  readonly #iterator: AnyIterator<T> | undefined;
  /** Read to its end, failed, or closed: nothing more to read and nothing to close. */
  #finished = false;

  /** Opens `items` (checked with `assertItems`); throws what opening its iterator throws. */
  constructor(items: Items<T>) {
    if (Array.isArray(items)) {
      this.#list = items as readonly T[];
      this.isAsync = false;
      return;
    }
    const asyncIterable = items as AsyncIterable<T>;
    this.isAsync = typeof asyncIterable[Symbol.asyncIterator] === 'function';
    this.#iterator = this.isAsync
      ? asyncIterable[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]();
  }

  /** The next item of a sync source, or `DONE`. Throws what the iterator throws. */
  nextSync(): T | typeof DONE {
    const list = this.#list;
    if (list !== undefined) return this.#index < list.length ? (list[this.#index++] as T) : DONE;
    if (this.#finished) return DONE;
    try {
      return this.#take((this.#iterator as Iterator<T>).next());
    } catch (error) {
      this.#finished = true;
      throw error;
    }
  }

  /** The next item of an async source, or `DONE`. Rejects (never throws) with what the iterator throws. */
  nextAsync(): Promise<T | typeof DONE> {
    if (this.#finished) return Promise.resolve(DONE);
    let pending: PromiseLike<IteratorResult<T>> | IteratorResult<T>;
    try {
      pending = (this.#iterator as AsyncIterator<T>).next();
    } catch (error) {
      this.#finished = true;
      return Promise.reject(error);
    }
    return Promise.resolve(pending).then(
      (result) => this.#take(result),
      (error: unknown) => {
        this.#finished = true;
        throw error;
      },
    );
  }

  /**
   * Lets the iterator release what it holds (`return()`, as a `for…of` that breaks does) when it was
   * neither read to its end nor failed. Errors of `return()` are dropped: the run's outcome is decided.
   */
  close(): void {
    if (this.#finished || this.#iterator === undefined) return;
    this.#finished = true;
    try {
      const closing = this.#iterator.return?.();
      if (closing instanceof Promise) closing.catch(() => undefined);
    } catch {
      // See above: nothing is waiting for the close.
    }
  }

  #take(result: IteratorResult<T>): T | typeof DONE {
    if (typeof result !== 'object' || result === null) {
      this.#finished = true;
      throw new InvalidArgumentError(
        `Expected the iterator of \`items\` to return an object from next(), got ${describeValue(result)}`,
      );
    }
    if (result.done) {
      this.#finished = true;
      return DONE;
    }
    return result.value;
  }
}
