import { hostname } from 'node:os';
import { describeLeaseOwner, leaseOwnerAlive, newLeaseOwner, type Store } from '../store/index.js';
import { JobServiceError } from './job-service-error.js';

/**
 * The name of the lease that makes one process at a time the job service of a home: a second one would
 * take the first one's running jobs for a crash's leftovers, kill their agents and run them again.
 */
const LEASE_NAME = 'jobs';
/** How long the lease outlives its holder's last renewal, and how often the holder renews it. */
const LEASE_TTL_MS = 30_000;
const LEASE_RENEW_MS = 5_000;

/**
 * A job service's hold on its home: a lease in the store, renewed every 5 s while held and released on
 * `release`. A crashed holder's lease is taken over at once on its host (its pid is gone or a zombie) and
 * after 30 s elsewhere.
 */
export class HomeLease {
  readonly #store: Store;
  readonly #home: string;
  readonly #owner = newLeaseOwner();
  #timer: NodeJS.Timeout | undefined;
  #lost = false;

  constructor(store: Store, home: string) {
    this.#store = store;
    this.#home = home;
  }

  /**
   * Takes the lease and starts renewing it.
   * @throws JobServiceError `E_HOME_BUSY` when a live process holds it.
   */
  acquire(): void {
    const host = hostname();
    const attempt = this.#store.leases.acquire(LEASE_NAME, {
      owner: this.#owner,
      ttlMs: LEASE_TTL_MS,
      alive: (owner) => leaseOwnerAlive(owner, host),
    });
    if (!attempt.acquired) {
      const { owner, acquiredAt, expiresAt } = attempt.holder;
      throw new JobServiceError(
        'E_HOME_BUSY',
        `The jobs of ${this.#home} are run by another process (${describeLeaseOwner(owner)}, since ` +
          `${acquiredAt}): submit jobs to it (flotilla jobs submit, or its HTTP API) or use another home. ` +
          `If that process is gone, the home is free from ${expiresAt}.`,
      );
    }
    this.#lost = false;
    this.#timer = setInterval(() => this.#renew(), LEASE_RENEW_MS);
    this.#timer.unref();
  }

  /**
   * Throws unless the lease is still held: another process took the home over while this one was not
   * renewing (suspended past the lease, or its clock jumped), so this one must take no new work.
   * @throws JobServiceError `E_HOME_BUSY`
   */
  assertHeld(): void {
    if (this.#lost) {
      throw new JobServiceError(
        'E_HOME_BUSY',
        `Another process took over the jobs of ${this.#home} while this one was not answering`,
      );
    }
  }

  /** Stops renewing and gives the lease up (if this process still holds it). */
  release(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#store.leases.release(LEASE_NAME, this.#owner);
  }

  #renew(): void {
    try {
      if (!this.#store.leases.renew(LEASE_NAME, this.#owner, LEASE_TTL_MS)) this.#lost = true;
    } catch {
      // A busy database: the next beat tries again, well before the lease expires.
    }
  }
}
