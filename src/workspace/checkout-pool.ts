/** A clean checkout waiting for its next job. */
export interface IdleCheckout {
  /** Its folder. */
  readonly path: string;
  /** The commit it is at. */
  readonly head: string;
  /** Its sparse directories, or `null` for the whole tree. */
  readonly paths: readonly string[] | null;
}

/**
 * The warm pool of one repository: at most `capacity` idle checkouts. All changes are synchronous, so a
 * checkout is handed to exactly one job even when prepares interleave.
 */
export class CheckoutPool {
  readonly #capacity: number;
  /** Idle checkouts, the most recently released last. */
  readonly #idle: IdleCheckout[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** How many checkouts wait. */
  get size(): number {
    return this.#idle.length;
  }

  /** Whether `offer` would refuse a checkout now. */
  get full(): boolean {
    return this.#idle.length >= this.#capacity;
  }

  /**
   * Takes the idle checkout that needs the least work to become `commit` with `paths`: one already there
   * (nothing to write), else one with the same sparse directories (only changed files are written), else
   * the most recently used. Among equals, the most recently used (its files are the likeliest in the
   * page cache).
   */
  take(commit: string, paths: readonly string[] | null): IdleCheckout | undefined {
    let best = -1;
    let bestScore = -1;
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      const entry = this.#idle[i]!;
      const score = (sameSparse(entry.paths, paths) ? 2 : 0) + (entry.head === commit ? 1 : 0);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return best === -1 ? undefined : this.#idle.splice(best, 1)[0];
  }

  /** Adds a clean checkout; `false` when the pool is full (the caller removes the checkout). */
  offer(entry: IdleCheckout): boolean {
    if (this.#idle.length >= this.#capacity) return false;
    this.#idle.push(entry);
    return true;
  }

  /** Empties the pool and returns what it held. */
  drain(): IdleCheckout[] {
    return this.#idle.splice(0);
  }
}

/** Whether two sparse settings are the same (both normalized and sorted, or both `null`). */
export function sameSparse(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((path, i) => path === b[i]);
}
