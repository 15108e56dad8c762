import { Deque } from './deque.js';
import { assertCount } from './validate.js';

/** Options of a `Frontier`. */
export interface FrontierOptions<T> {
  /** How many items may be claimed in all: the exact budget. */
  readonly maxItems: number;
  /** Items deeper than this are refused by `add`. */
  readonly maxDepth: number;
  /**
   * The identity of an item for deduplication (a normalized URL, say).
   * @default String(item)
   */
  readonly key?: (item: T) => string;
}

/** An item handed out by `claim`, with the depth it was added at. */
export interface FrontierEntry<T> {
  readonly item: T;
  readonly depth: number;
  readonly key: string;
}

/** A snapshot of a `Frontier`'s counters. */
export interface FrontierStats {
  /** Items waiting to be claimed. */
  readonly queued: number;
  /** Items claimed and not completed yet. */
  readonly inFlight: number;
  /** Items claimed in all; never more than `maxItems`. */
  readonly claimed: number;
  /** Distinct keys ever accepted. */
  readonly seen: number;
}

interface Claimer<T> {
  /** False once its signal aborted: it is skipped when served. */
  active: boolean;
  readonly resolve: (entry: FrontierEntry<T> | undefined) => void;
}

/**
 * A breadth-first work queue for crawling, shared by many workers. Items are deduplicated by key and
 * claimed shallowest first; an item counts against the budget when it is claimed, so the total never
 * exceeds `maxItems` and nothing is handed out twice. `claim` waits while the queue is empty but work
 * is in flight (a page being tested may add links), and resolves `undefined` only when the budget is
 * spent, or when the queue is empty with nothing in flight — so workers never deadlock as work drains.
 */
export class Frontier<T> {
  readonly #maxItems: number;
  readonly #maxDepth: number;
  readonly #key: (item: T) => string;
  /** One FIFO per depth: index = depth. */
  readonly #byDepth: Deque<FrontierEntry<T>>[] = [];
  readonly #seen = new Set<string>();
  readonly #inFlight = new Set<string>();
  readonly #claimers = new Deque<Claimer<T>>();
  #queued = 0;
  #claimed = 0;

  constructor(options: FrontierOptions<T>) {
    this.#maxItems = assertCount('maxItems', options.maxItems, 0, true);
    this.#maxDepth = assertCount('maxDepth', options.maxDepth, 0);
    this.#key = options.key ?? ((item) => String(item));
  }

  get stats(): FrontierStats {
    return {
      queued: this.#queued,
      inFlight: this.#inFlight.size,
      claimed: this.#claimed,
      seen: this.#seen.size,
    };
  }

  /** Whether no more items will be handed out. */
  get done(): boolean {
    return this.#claimed >= this.#maxItems || (this.#queued === 0 && this.#inFlight.size === 0);
  }

  /** Adds the items not seen before at `depth`; refuses all when `depth > maxDepth`. Returns how many were added. */
  add(items: Iterable<T>, depth: number): number {
    assertCount('depth', depth, 0);
    if (depth > this.#maxDepth) return 0;
    let added = 0;
    for (const item of items) {
      const key = this.#key(item);
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      let bucket = this.#byDepth[depth];
      if (bucket === undefined) {
        bucket = new Deque();
        this.#byDepth[depth] = bucket;
      }
      bucket.push({ item, depth, key });
      this.#queued++;
      added++;
    }
    this.#serveClaimers();
    return added;
  }

  /**
   * The next item, shallowest first, marked taken now; waits while the queue is empty and work is in
   * flight; `undefined` when the budget is spent or the work is drained.
   */
  claim(signal?: AbortSignal): Promise<FrontierEntry<T> | undefined> {
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    if (!this.#hasActiveClaimers()) {
      const immediate = this.#tryClaim();
      if (immediate !== null) return Promise.resolve(immediate);
    }
    return new Promise((resolve, reject) => {
      const claimer: Claimer<T> = {
        active: true,
        resolve: (entry) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(entry);
        },
      };
      const onAbort = (): void => {
        claimer.active = false;
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#claimers.push(claimer);
    });
  }

  /** Marks a claimed item finished; when it was the last work in flight, waiting claimers learn the end. */
  complete(entry: FrontierEntry<T>): void {
    this.#inFlight.delete(entry.key);
    this.#serveClaimers();
  }

  /** The items still queued (never claimed), shallowest first: what a report lists as not tested. */
  unclaimed(): FrontierEntry<T>[] {
    return this.#byDepth.flatMap((bucket) => (bucket === undefined ? [] : [...bucket]));
  }

  /** An entry, `undefined` when nothing more will come, or `null` when the caller must wait. */
  #tryClaim(): FrontierEntry<T> | undefined | null {
    if (this.#claimed >= this.#maxItems) return undefined;
    for (const bucket of this.#byDepth) {
      const entry = bucket?.shift();
      if (entry === undefined) continue;
      this.#queued--;
      this.#claimed++;
      this.#inFlight.add(entry.key);
      return entry;
    }
    return this.#inFlight.size === 0 ? undefined : null;
  }

  #hasActiveClaimers(): boolean {
    for (const claimer of this.#claimers) if (claimer.active) return true;
    return false;
  }

  #serveClaimers(): void {
    for (let claimer = this.#claimers.peek(); claimer !== undefined; claimer = this.#claimers.peek()) {
      if (!claimer.active) {
        this.#claimers.shift();
        continue;
      }
      const entry = this.#tryClaim();
      if (entry === null) return;
      this.#claimers.shift();
      claimer.resolve(entry);
    }
  }
}
