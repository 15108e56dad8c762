import { hostname } from 'node:os';
import { InterruptedError } from '../../core/index.js';
import { nowIso, type EventBus } from '../../events/index.js';
import {
  HeldLease,
  leaseOwnerAlive,
  newLeaseOwner,
  runLeaseName,
  type LeaseRecord,
  type Store,
} from '../../store/index.js';
import { ENGINE_RUN_KINDS } from './run-spec.js';
import { RunState } from './run-state.js';

/** Options of `RunLeases`. */
export interface RunLeasesOptions {
  readonly store: Store;
  readonly bus?: EventBus;
  /** How long a run's lease outlives its driver's last heartbeat. */
  readonly ttlMs: number;
  /** How often the driver renews the lease (and looks for a cancel written elsewhere). */
  readonly heartbeatMs: number;
}

/**
 * The leases of the runs one engine drives: one `run:<id>` lease of the store's `leases` table per run
 * (the mechanism the job service's home lease uses too), all under one owner id per engine, and the
 * sweep that marks `interrupted` the runs whose driver is gone.
 */
export class RunLeases {
  readonly #options: RunLeasesOptions;
  readonly #owner = newLeaseOwner();

  constructor(options: RunLeasesOptions) {
    this.#options = options;
  }

  /**
   * A lease on run `id` for this engine (not yet acquired). Each heartbeat that renews it calls
   * `onBeat`; when another process turns out to hold it, `controller` is aborted with an
   * `InterruptedError`: the run stops here and can be resumed.
   */
  lease(id: string, controller: AbortController, onBeat: () => void): HeldLease {
    return new HeldLease({
      store: this.#options.store,
      name: runLeaseName(id),
      owner: this.#owner,
      ttlMs: this.#options.ttlMs,
      renewMs: this.#options.heartbeatMs,
      onRenew: onBeat,
      onLost: () =>
        controller.abort(new InterruptedError(`Run ${id}: the lease was lost to another process`)),
    });
  }

  /** Who drives run `id` now, for messages (`unknown` when nobody holds its lease). */
  holder(id: string): string {
    return this.#options.store.leases.get(runLeaseName(id))?.owner ?? 'unknown';
  }

  /**
   * Marks `interrupted` every workflow or plan run that says `running` but whose driver is gone — no lease, an
   * expired one, or one held by a process of this host that no longer exists — and frees its lease.
   * Runs in `skip` (driven by this engine) are left alone.
   * @returns the ids of the runs marked.
   */
  reap(skip: ReadonlySet<string>): string[] {
    const { store, bus } = this.#options;
    const now = nowIso();
    const host = hostname();
    const marked: string[] = [];
    const running = ENGINE_RUN_KINDS.flatMap(
      (kind) => store.runs.list({ status: 'running', kind, limit: 1000 }).items,
    );
    for (const run of running) {
      if (skip.has(run.id)) continue;
      const lease = store.leases.get(runLeaseName(run.id));
      if (lease !== undefined && !abandoned(lease, now, host)) continue;
      const state = new RunState(store, run.id, bus);
      store.transaction(() => {
        if (lease !== undefined) store.leases.release(lease.name, lease.owner);
        state.setRun('interrupted', { error: `the process driving it (${lease?.owner ?? 'none'}) is gone` });
      });
      marked.push(run.id);
    }
    return marked;
  }
}

function abandoned(lease: LeaseRecord, now: string, host: string): boolean {
  return lease.expiresAt <= now || !leaseOwnerAlive(lease.owner, host);
}
