import { rmSync } from 'node:fs';
import type { Store } from '../store/index.js';
import type { WorkspaceManager } from '../workspace/index.js';
import { diffPath } from './job-runner.js';

/** How often finished jobs past their TTL are looked for. */
const EVICTION_INTERVAL_MS = 60_000;

/** What `JobEviction` works on. */
export interface EvictionScope {
  readonly store: Store;
  readonly workspaces: WorkspaceManager;
  /** Where the jobs' diffs are kept. */
  readonly artifactsDir: string;
  /** How long a finished job is kept, in seconds (`server.job_ttl_s`). */
  readonly ttlS: number;
}

/**
 * Deletes the jobs that finished more than `job_ttl_s` ago (and interrupted ones given up on), with their
 * events, diffs and `flotilla/<job-id>` branches: once at `start`, then every minute until `stop`.
 */
export class JobEviction {
  readonly #scope: EvictionScope;
  #timer: NodeJS.Timeout | undefined;

  constructor(scope: EvictionScope) {
    this.#scope = scope;
  }

  /** Sweeps once (a failure rejects), then every minute in the background. */
  async start(): Promise<void> {
    await this.sweep();
    // A failed sweep (a busy database, a git error) is tried again at the next one.
    this.#timer = setInterval(() => void this.sweep().catch(() => {}), EVICTION_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Deletes what has expired by `nowMs`; each job in one transaction, after its branch. */
  async sweep(nowMs = Date.now()): Promise<void> {
    const { store, workspaces, artifactsDir, ttlS } = this.#scope;
    // A finished job is terminal, or interrupted and given up on: either way it runs no more.
    const cutoff = new Date(nowMs - ttlS * 1000).toISOString();
    for (const record of store.jobs.listFinishedBy(cutoff)) {
      if (record.repo !== null) await workspaces.forgetJob(record.repo, record.id);
      store.transaction(() => {
        store.jobs.delete(record.id);
        store.events.deleteForSubject(record.id);
      });
      rmSync(diffPath(artifactsDir, record.id), { force: true });
    }
  }
}
