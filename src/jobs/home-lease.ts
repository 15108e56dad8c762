import { describeLeaseOwner, HeldLease, type Store } from '../store/index.js';
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
 * A job service's hold on its home: the `jobs` lease, renewed every 5 s while held and released on
 * `release`. A crashed holder's lease is taken over at once on its host (its pid is gone or a zombie) and
 * after 30 s elsewhere. This rule belongs to the local scheduler: jobs of one home, one process.
 */
export class HomeLease {
  readonly #home: string;
  readonly #lease: HeldLease;

  constructor(store: Store, home: string) {
    this.#home = home;
    this.#lease = new HeldLease({ store, name: LEASE_NAME, ttlMs: LEASE_TTL_MS, renewMs: LEASE_RENEW_MS });
  }

  /**
   * Takes the lease and starts renewing it.
   * @throws JobServiceError `E_HOME_BUSY` when a live process holds it.
   */
  acquire(): void {
    const attempt = this.#lease.acquire();
    if (!attempt.acquired) {
      const { owner, acquiredAt, expiresAt } = attempt.holder;
      throw new JobServiceError(
        'E_HOME_BUSY',
        `The jobs of ${this.#home} are run by another process (${describeLeaseOwner(owner)}, since ` +
          `${acquiredAt}): submit jobs to it (flotilla jobs submit, or its HTTP API) or use another home. ` +
          `If that process is gone, the home is free from ${expiresAt}.`,
      );
    }
  }

  /**
   * Throws unless the lease is still held: another process took the home over while this one was not
   * renewing (suspended past the lease, or its clock jumped), so this one must take no new work.
   * @throws JobServiceError `E_HOME_BUSY`
   */
  assertHeld(): void {
    if (this.#lease.lost) {
      throw new JobServiceError(
        'E_HOME_BUSY',
        `Another process took over the jobs of ${this.#home} while this one was not answering`,
      );
    }
  }

  /** Stops renewing and gives the lease up (if this process still holds it). */
  release(): void {
    this.#lease.release();
  }
}
