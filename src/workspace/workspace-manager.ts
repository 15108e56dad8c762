import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RepoConfig } from '../config/index.js';
import {
  assertCount,
  InvalidArgumentError,
  Lifecycle,
  Limiter,
  stopwatch,
  type LifecycleState,
} from '../core/index.js';
import { ensureBase, JOB_BRANCH_PREFIX, resolveCommit } from './base-repository.js';
import { git, gitRaw } from './git.js';
import { collectChange } from './change.js';
import {
  addCheckout,
  deleteCheckout,
  moveCheckout,
  populateCheckout,
  pruneCheckouts,
  resetCheckout,
  setSparse,
} from './checkout.js';
import { CheckoutPool, sameSparse } from './checkout-pool.js';
import { RepoLayout, workspacesDir } from './layout.js';
import { collectOrphans, repositoryFolders } from './orphans.js';
import { writeMarker } from './owner-marker.js';
import { checkRequest, type CheckedRequest } from './request.js';
import { runSetup } from './setup-command.js';
import {
  DEFAULT_POOL_SIZE,
  DEFAULT_SETUP_TIMEOUT_MS,
  type Workspace,
  type WorkspaceChange,
  type WorkspaceManagerOptions,
  type WorkspaceRequest,
} from './types.js';
import { WorkspaceError } from './workspace-error.js';

/** The lifecycle of a manager. */
export type WorkspaceManagerState = LifecycleState;

/** One configured repository: where it lives, its lock and its pool. */
interface RepoSlot {
  readonly key: string;
  readonly config: RepoConfig;
  readonly source: string;
  readonly layout: RepoLayout;
  /** The short lock around the base's own files (refresh, worktree registration and pruning). */
  readonly lock: Limiter;
  readonly pool: CheckoutPool;
}

/** A checkout handed to a job, as the lock left it: its files may still need writing. */
interface Claim {
  readonly path: string;
  readonly commit: string;
  /** For a pooled checkout: the commit and sparse directories it has now. */
  readonly pooled: { readonly head: string; readonly paths: readonly string[] | null } | undefined;
}

/**
 * Gives each job its own checkout of a configured repository and takes it back after the run.
 *
 * - A warm base per repository (`<home>/workspaces/<key>/base.git`, a bare clone) is refreshed with
 *   `git fetch` only when the source's refs moved; checkouts are worktrees of it, sharing its objects.
 * - Released checkouts are reset and cleaned into a pool of `poolSize` per repository, so the next
 *   prepare writes only the files that differ instead of the whole tree.
 * - A per-repository lock (`Limiter`, concurrency 1) covers only the steps that write the base's own
 *   files; writing a checkout's files, `setup`, the job's run and `finish` happen outside it.
 * - `start()` collects the orphans of a crash and adopts the clean checkouts an earlier process pooled.
 */
export class WorkspaceManager {
  readonly #workspacesDir: string;
  readonly #repos: ReadonlyMap<string, RepoSlot>;
  readonly #configs: Readonly<Record<string, RepoConfig>>;
  readonly #setupTimeoutMs: number;
  readonly #env: Readonly<Record<string, string | undefined>> | undefined;
  readonly #lifecycle = new Lifecycle({
    name: 'workspace manager',
    error: (message) => new WorkspaceError('E_WORKSPACE_STATE', message),
    restartable: true,
  });
  /** Workspaces handed out, by path. */
  readonly #leases = new Map<string, Workspace>();
  /** Job ids with a workspace or a prepare under way. */
  readonly #jobs = new Set<string>();
  /** Prepares and releases under way, which `stop()` waits for. */
  readonly #pending = new Set<Promise<unknown>>();

  constructor(options: WorkspaceManagerOptions) {
    if (typeof options.home !== 'string' || options.home === '') {
      throw new InvalidArgumentError(`Expected \`home\` to be a folder, got ${JSON.stringify(options.home)}`);
    }
    if (typeof options.repos !== 'object' || options.repos === null) {
      throw new InvalidArgumentError('Expected `repos` to be a mapping of keys to repositories');
    }
    const poolSize = assertCount('poolSize', options.poolSize ?? DEFAULT_POOL_SIZE, 0);
    this.#setupTimeoutMs = assertCount(
      'setupTimeoutMs',
      options.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
      0,
    );
    this.#env = options.env;
    this.#workspacesDir = workspacesDir(resolve(options.home));
    this.#configs = { ...options.repos };
    this.#repos = new Map(
      Object.entries(options.repos).map(([key, config]) => [
        key,
        {
          key,
          config,
          source: resolve(config.path),
          layout: new RepoLayout(this.#workspacesDir, key),
          lock: new Limiter({ concurrency: 1 }),
          pool: new CheckoutPool(poolSize),
        },
      ]),
    );
  }

  /** Where the manager is in its lifecycle. */
  get state(): WorkspaceManagerState {
    return this.#lifecycle.state;
  }

  /** Collects orphans of a crash and adopts checkouts an earlier process left clean in its pool. */
  start(): Promise<void> {
    return this.#lifecycle.start(async () => {
      await mkdir(this.#workspacesDir, { recursive: true });
      const byRoot = new Map([...this.#repos.values()].map((slot) => [slot.layout.root, slot]));
      for (const root of await repositoryFolders(this.#workspacesDir)) {
        const scan = await collectOrphans(root, (path) => this.#leases.has(path));
        const slot = byRoot.get(root);
        if (slot === undefined) continue; // not configured now: its clean checkouts stay for later
        slot.pool.drain();
        for (const { path, paths } of scan.idle) await this.#recycle(slot, path, paths);
      }
    });
  }

  /**
   * Refuses new prepares and waits for those under way and for releases. Pooled checkouts stay on disk,
   * marked idle, for the next `start()`; workspaces still held are cleaned when released.
   */
  stop(): Promise<void> {
    return this.#lifecycle.stop(async () => {
      while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
      for (const slot of this.#repos.values()) slot.pool.drain();
    });
  }

  /**
   * A checkout of `request.repo` at `request.ref` for this job alone, with the repository's `setup` run
   * in it. Rejects with `E_REPO_UNKNOWN`, `E_REF_UNKNOWN`, `E_SETUP_FAILED`, `E_REPO_UNAVAILABLE`,
   * `E_GIT`, `InvalidArgumentError` for a bad request, or `signal.reason`; nothing is left behind then.
   */
  prepare(request: WorkspaceRequest): Promise<Workspace> {
    try {
      this.#lifecycle.assertStarted();
    } catch (error) {
      return Promise.reject(error);
    }
    let checked: CheckedRequest;
    try {
      checked = checkRequest(request, this.#configs);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#jobs.has(checked.jobId)) {
      return Promise.reject(new InvalidArgumentError(`Job ${checked.jobId} already has a workspace`));
    }
    this.#jobs.add(checked.jobId);
    return this.#track(
      this.#prepare(this.#repos.get(checked.repo)!, checked, request.signal).catch((error: unknown) => {
        this.#jobs.delete(checked.jobId);
        throw error;
      }),
    );
  }

  /**
   * The job's change against its base commit (new files included), committed on `flotilla/<jobId>` in
   * the warm base when there is one. The workspace stays held until `release`.
   */
  async finish(workspace: Workspace, signal?: AbortSignal): Promise<WorkspaceChange> {
    this.#held(workspace);
    return collectChange(workspace.path, workspace.jobId, workspace.baseCommit, signal);
  }

  /**
   * Deletes what a finished job left in the warm base (its branch `flotilla/<jobId>`), when its record
   * expires. A repository no longer configured, or never prepared, has nothing to delete.
   */
  async forgetJob(repo: string, jobId: string): Promise<void> {
    const slot = this.#repos.get(repo);
    if (slot === undefined || !existsSync(slot.layout.base)) return;
    const ref = `refs/heads/${JOB_BRANCH_PREFIX}${jobId}`;
    // `update-ref -d` of a missing ref fails; check first, under the lock that guards the base's refs.
    await slot.lock.run(async () => {
      const found = await gitRaw(slot.layout.base, ['show-ref', '--verify', '--quiet', ref]);
      if (found.exitCode === 0) await git(slot.layout.base, ['update-ref', '-d', ref]);
    });
  }

  /** Takes a workspace back: reset and cleaned into the pool, or deleted when the pool is full. Idempotent. */
  async release(workspace: Workspace): Promise<void> {
    if (this.#leases.get(workspace.path) !== workspace) return;
    this.#leases.delete(workspace.path);
    const slot = this.#repos.get(workspace.repo)!;
    try {
      await this.#track(this.#recycle(slot, workspace.path, workspace.paths));
    } finally {
      this.#jobs.delete(workspace.jobId);
    }
  }

  async #prepare(
    slot: RepoSlot,
    request: CheckedRequest,
    signal: AbortSignal | undefined,
  ): Promise<Workspace> {
    const elapsed = stopwatch();
    // 1. Under the lock: a current base, the commit, and a checkout claimed from the pool or registered.
    const claim = await slot.lock.run(
      () => this.#claim(slot, request, signal),
      signal ? { signal } : undefined,
    );
    let setupMs = 0;
    let prepareMs = 0;
    let ready = false;
    try {
      // 2. Outside it: the checkout's files, then the repository's setup.
      if (claim.pooled === undefined) {
        await populateCheckout(claim.path, request.paths, signal);
      } else {
        if (!sameSparse(claim.pooled.paths, request.paths))
          await setSparse(claim.path, request.paths, signal);
        if (claim.pooled.head !== claim.commit) await moveCheckout(claim.path, claim.commit, signal);
      }
      ready = true;
      prepareMs = elapsed();
      if (slot.config.setup !== undefined) {
        const { jobId, repo } = request;
        const context = {
          repo,
          jobId,
          path: claim.path,
          timeoutMs: this.#setupTimeoutMs,
          signal,
          env: this.#env,
        };
        setupMs = await runSetup(slot.config.setup, context);
      }
    } catch (error) {
      // A checkout stopped half-way through git has an unknown sparse state: it is deleted, not pooled.
      if (ready) await this.#recycle(slot, claim.path, request.paths);
      else await this.#discard(slot, claim.path);
      throw error;
    }
    const workspace: Workspace = Object.freeze({
      jobId: request.jobId,
      repo: request.repo,
      path: claim.path,
      ref: request.ref,
      baseCommit: claim.commit,
      paths: request.paths,
      basePath: slot.layout.base,
      fromPool: claim.pooled !== undefined,
      timings: Object.freeze({ prepareMs: Math.round(prepareMs), setupMs: Math.round(setupMs) }),
    });
    this.#leases.set(claim.path, workspace);
    return workspace;
  }

  /** The locked part of a prepare. */
  async #claim(slot: RepoSlot, request: CheckedRequest, signal: AbortSignal | undefined): Promise<Claim> {
    const { layout } = slot;
    await mkdir(layout.checkouts, { recursive: true });
    await ensureBase(slot.source, layout.base, signal);
    const commit = await resolveCommit(layout.base, slot.key, request.ref, { source: slot.source, signal });
    const busy = { pid: process.pid, state: 'busy', jobId: request.jobId, paths: request.paths } as const;
    const pooled = slot.pool.take(commit, request.paths);
    if (pooled !== undefined) {
      await writeMarker(pooled.path, busy);
      return { path: pooled.path, commit, pooled };
    }
    // The marker comes first: a crash before the worktree is complete leaves an orphan `start()` collects.
    const path = layout.newCheckout();
    await writeMarker(path, busy);
    try {
      await addCheckout(layout.base, path, commit, signal);
    } catch (error) {
      await deleteCheckout(path);
      await pruneCheckouts(layout.base).catch(() => undefined);
      throw error;
    }
    return { path, commit, pooled: undefined };
  }

  /**
   * Resets and cleans a checkout into the pool (its idle marker written before it is offered, so a
   * prepare that takes it at once writes `busy` last); deletes it when the pool is full or it cannot be
   * reset. Never rejects: cleanup must not hide the error of the run it follows.
   */
  async #recycle(slot: RepoSlot, path: string, paths: readonly string[] | null): Promise<void> {
    try {
      const head = await resetCheckout(path);
      if (!slot.pool.full) {
        await writeMarker(path, { pid: process.pid, state: 'idle', jobId: null, paths });
        if (slot.pool.offer({ path, head, paths })) return;
      }
    } catch {
      // Deleted below.
    }
    await this.#discard(slot, path);
  }

  /** Deletes a checkout (outside the lock: it is ours alone), then prunes its worktree entry under the lock. */
  async #discard(slot: RepoSlot, path: string): Promise<void> {
    await deleteCheckout(path).catch(() => undefined);
    await slot.lock.run(() => pruneCheckouts(slot.layout.base)).catch(() => undefined);
  }

  #held(workspace: Workspace): void {
    if (this.#leases.get(workspace.path) !== workspace) {
      throw new WorkspaceError('E_WORKSPACE_STATE', `The workspace of job ${workspace.jobId} was released`);
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    const untrack = () => this.#pending.delete(promise);
    void promise.then(untrack, untrack);
    return promise;
  }
}
