import { Deque } from './deque.js';

/** An entry of a `PriorityQueue`; `removed` lets a caller take it out in O(1) (see `remove`). */
export interface QueueEntry {
  readonly priority: number;
  removed?: boolean;
}

interface Bucket<T> {
  readonly priority: number;
  readonly items: Deque<T>;
}

/**
 * Higher priority first, FIFO among equal priorities. One FIFO bucket per distinct priority, kept
 * sorted; the common case (every entry at one priority) is a single deque. `remove` marks an entry
 * and `shift` skips marked ones, so taking an aborted task out of the middle is O(1).
 */
export class PriorityQueue<T extends QueueEntry> {
  #buckets: Bucket<T>[] = [];
  #size = 0;

  /** Entries waiting, not counting removed ones. */
  get size(): number {
    return this.#size;
  }

  push(entry: T): void {
    const buckets = this.#buckets;
    // Scan from the lowest priority: new work usually lands at the default priority, at the end.
    let i = buckets.length;
    while (i > 0 && buckets[i - 1]!.priority < entry.priority) i--;
    let bucket = buckets[i - 1];
    if (bucket === undefined || bucket.priority !== entry.priority) {
      bucket = { priority: entry.priority, items: new Deque<T>() };
      buckets.splice(i, 0, bucket);
    }
    bucket.items.push(entry);
    this.#size++;
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    for (;;) {
      const bucket = this.#buckets[0]!;
      const entry = bucket.items.shift();
      if (entry === undefined) {
        this.#buckets.shift();
        continue;
      }
      if (entry.removed === true) continue;
      this.#size--;
      return entry;
    }
  }

  /**
   * Takes out and returns the first entry, in queue order, that `accept` takes; `undefined` when none
   * does. O(entries scanned): for the rare queue where the head may have to wait (per-group caps).
   */
  takeFirst(accept: (entry: T) => boolean): T | undefined {
    for (const bucket of this.#buckets) {
      for (const entry of bucket.items) {
        if (entry.removed === true || !accept(entry)) continue;
        this.remove(entry);
        return entry;
      }
    }
    return undefined;
  }

  /** Takes every entry out and returns them in queue order. */
  clear(): T[] {
    const entries: T[] = [];
    for (const bucket of this.#buckets) {
      for (const entry of bucket.items) {
        if (entry.removed === true) continue;
        entry.removed = true;
        entries.push(entry);
      }
    }
    this.#buckets = [];
    this.#size = 0;
    return entries;
  }

  /** Takes an entry out; it must be in the queue and not removed yet. */
  remove(entry: T): void {
    entry.removed = true;
    this.#size--;
  }
}
