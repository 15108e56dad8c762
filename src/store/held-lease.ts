import { hostname } from 'node:os';
import type { LeaseAttempt } from './lease-repository.js';
import { leaseOwnerAlive, newLeaseOwner } from './lease-owner.js';
import type { Store } from './store.js';

/** Options of a `HeldLease`. */
export interface HeldLeaseOptions {
  readonly store: Store;
  /** The lease's name in the `leases` table: `jobs` for a home's job service, `run:<id>` for a run. */
  readonly name: string;
  /** Who holds it (see `newLeaseOwner`). @default a new owner id */
  readonly owner?: string;
  /** How long the lease outlives its holder's last renewal. */
  readonly ttlMs: number;
  /** How often the holder renews it; well under `ttlMs`. */
  readonly renewMs: number;
  /** Called after each renewal that kept the lease (a heartbeat, to piggyback checks on). */
  readonly onRenew?: () => void;
  /** Called once when a renewal finds the lease taken by another process or gone. */
  readonly onLost?: () => void;
}

/**
 * A lease this process holds on something only one process may drive at a time (a home's job service,
 * a workflow run): taken in one immediate transaction, renewed on a timer while held, given up by
 * `release`. A holder that died lets it go at once to a process on its host that sees its pid gone
 * (or a zombie), and to anyone once it expires. A holder suspended past its lease carries on if nobody
 * took it meanwhile; if somebody did, the next renewal says so (`lost`, `onLost`).
 */
export class HeldLease {
  readonly name: string;
  readonly owner: string;
  readonly #options: HeldLeaseOptions;
  #timer: NodeJS.Timeout | undefined;
  #lost = false;

  constructor(options: HeldLeaseOptions) {
    this.#options = options;
    this.name = options.name;
    this.owner = options.owner ?? newLeaseOwner();
  }

  /** Whether a renewal found the lease taken by another process (or gone) since it was acquired. */
  get lost(): boolean {
    return this.#lost;
  }

  /**
   * Takes the lease when it is free (nobody holds it, it expired, or its holder is dead) and starts
   * renewing it; otherwise leaves it and says who holds it. May run inside a `Store.transaction`.
   */
  acquire(): LeaseAttempt {
    const host = hostname();
    const attempt = this.#options.store.leases.acquire(this.name, {
      owner: this.owner,
      ttlMs: this.#options.ttlMs,
      alive: (owner) => leaseOwnerAlive(owner, host),
    });
    if (attempt.acquired) {
      this.#lost = false;
      clearInterval(this.#timer);
      this.#timer = setInterval(() => this.#renew(), this.#options.renewMs);
      this.#timer.unref();
    }
    return attempt;
  }

  /** Stops renewing and gives the lease up (if this process still holds it). */
  release(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#options.store.leases.release(this.name, this.owner);
  }

  #renew(): void {
    let held: boolean;
    try {
      held = this.#options.store.leases.renew(this.name, this.owner, this.#options.ttlMs);
    } catch {
      // A busy database: the next beat tries again, well before the lease expires.
      return;
    }
    if (held) {
      this.#options.onRenew?.();
      return;
    }
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#lost = true;
    this.#options.onLost?.();
  }
}
