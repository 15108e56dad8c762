/**
 * Keeps the last `capacity` items pushed into it, in order, in constant memory (a ring buffer).
 * A capacity of 0 keeps nothing.
 */
export class TailBuffer<T> {
  readonly #capacity: number;
  readonly #items: T[] = [];
  /** Where the oldest item is once the buffer is full. */
  #start = 0;

  /** @param capacity - how many items to keep (an integer ≥ 0). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  push(item: T): void {
    if (this.#capacity === 0) return;
    if (this.#items.length < this.#capacity) {
      this.#items.push(item);
      return;
    }
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.#capacity;
  }

  /** The kept items, oldest first, as a new array. */
  toArray(): T[] {
    return [...this.#items.slice(this.#start), ...this.#items.slice(0, this.#start)];
  }
}
