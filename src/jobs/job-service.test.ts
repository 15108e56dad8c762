import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from '../../test/helpers/processes.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitIn, HOLD_AGENT, initRepository } from '../../test/helpers/git.js';
import { loadConfig, type AgentProfile, type ResolvedConfig } from '../config/index.js';
import { QueueFullError } from '../core/index.js';
import type { JobStatus } from '../events/index.js';
import { openStore, type Store } from '../store/index.js';
import { WorkspaceManager } from '../workspace/index.js';
import { JobRequestError } from './job-request.js';
import { JobService } from './job-service.js';

let dir = '';
let gates = '';
let source = '';
let store: Store;
let service: JobService;

const git = gitIn;

function makeConfig(
  server: { concurrency?: number; maxQueue?: number } = {},
  agents: Record<string, AgentProfile> = {},
  verify?: string[],
): ResolvedConfig {
  const base = loadConfig({
    cwd: dir,
    env: {},
    flags: {
      home: join(dir, 'home'),
      concurrency: server.concurrency ?? 2,
      maxQueue: server.maxQueue ?? 100,
    },
  });
  return {
    ...base,
    agents: {
      hold: { type: 'cli', command: [process.execPath, HOLD_AGENT, gates, '{job_id}', 'note.txt'] },
      fail: { type: 'cli', command: ['sh', '-c', 'echo boom >&2; exit 3'] },
      sleepy: { type: 'cli', command: ['sh', '-c', 'sleep 1000 & echo $!; wait'] },
      ...agents,
    },
    repos: { app: { path: source, ...(verify === undefined ? {} : { verify }) } },
  };
}

async function startService(config: ResolvedConfig): Promise<JobService> {
  service = new JobService({
    store,
    config,
    workspaces: new WorkspaceManager({ home: config.home, repos: config.repos }),
  });
  await service.start();
  return service;
}

/** Lets a held job finish with `exitCode`. */
function release(jobId: string, exitCode = 0): void {
  writeFileSync(join(gates, jobId), String(exitCode));
}

/** Resolves when the job reaches `status` (an event may already have passed: checks the store first). */
function reach(id: string, status: JobStatus): Promise<void> {
  return new Promise((resolve) => {
    const off = service.bus.subscribe((event) => {
      if ('jobId' in event && event.jobId === id && 'status' in event && event.status === status) {
        off();
        resolve();
      }
    });
    // Subscribed first, so that a change between the look and the subscription is not missed.
    void service.get(id).then((job) => {
      if (job?.status !== status) return;
      off();
      resolve();
    });
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-jobs-'));
  gates = join(dir, 'gates');
  mkdirSync(gates);
  source = join(dir, 'source');
  mkdirSync(source);
  initRepository(source);
  store = openStore({ home: join(dir, 'home') });
});

afterEach(async () => {
  await service?.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('JobService', () => {
  it('stores a job before acknowledging it and runs jobs in FIFO order under the bound', async () => {
    await startService(makeConfig({ concurrency: 2 }));
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    service.bus.subscribe((event) => {
      if (event.type === 'job.status' && event.status === 'running') {
        started.push(event.jobId);
        peak = Math.max(peak, ++running);
      }
      if (event.type === 'job.result') running--;
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const job = await service.submit({ agent: 'hold', prompt: `task ${i}` });
      expect(['queued', 'running']).toContain(store.jobs.get(job.id)?.status);
      // What submit answers is the job as stored, started or queued, though it is not read back.
      expect(job).toEqual(await service.get(job.id));
      ids.push(job.id);
    }
    await reach(ids[1]!, 'running');
    expect((await service.get(ids[4]!))?.queue_position).toBe(3);
    for (const id of ids) {
      await reach(id, 'running');
      const waited = service.wait(id);
      release(id);
      // What wait answers is the job as stored once it ended, though it is not read back.
      const ended = await waited;
      expect(ended?.status).toBe('succeeded');
      expect(ended).toEqual(await service.get(id));
    }
    expect(started).toEqual(ids);
    expect(peak).toBe(2);
    const done = (await service.get(ids[0]!))!;
    expect(done.result?.timings.queued_ms).toBeGreaterThanOrEqual(0);
    expect(done.result?.timings.run_ms).toBeGreaterThan(0);
  });

  it('refuses a full queue and bad requests without creating anything', async () => {
    await startService(makeConfig({ concurrency: 1, maxQueue: 1 }));
    const first = await service.submit({ agent: 'hold', prompt: 'runs' });
    await reach(first.id, 'running');
    await service.submit({ agent: 'hold', prompt: 'waits' });
    await expect(service.submit({ agent: 'hold', prompt: 'refused' })).rejects.toThrow(QueueFullError);
    await expect(service.submit({ agent: 'nope', prompt: 'x' })).rejects.toThrow(JobRequestError);
    await expect(service.submit({ agent: 'hold', prompt: 'x', repo: 'other' })).rejects.toThrow(
      /repo: unknown repository "other"/,
    );
    await expect(service.submit({ agent: 'hold', prompt: 'x', timeout_s: -1 })).rejects.toThrow(/timeout_s/);
    expect(store.jobs.list({}).items).toHaveLength(2);
    release(first.id);
  });

  it('gives each repository job its own checkout and records diff, files and branch', async () => {
    await startService(makeConfig({ concurrency: 2 }));
    const a = await service.submit({ agent: 'hold', prompt: 'a', repo: 'app' });
    const b = await service.submit({ agent: 'hold', prompt: 'b', repo: 'app' });
    await reach(a.id, 'running');
    await reach(b.id, 'running');
    const waited = [service.wait(a.id), service.wait(b.id)];
    release(a.id);
    release(b.id);
    await reach(a.id, 'succeeded');
    await reach(b.id, 'succeeded');
    expect(await Promise.all(waited)).toEqual([await service.get(a.id), await service.get(b.id)]);
    for (const job of [a, b]) {
      const done = (await service.get(job.id))!;
      expect(done.result?.changedFiles).toEqual(['note.txt']);
      expect(done.result?.branch).toBe(`flotilla/${job.id}`);
      expect(await service.diff(job.id)).toContain(`+written by ${job.id}`);
    }
    // The source repository's working tree was never touched.
    expect(existsSync(join(source, 'note.txt'))).toBe(false);
  });

  it('fails a job whose verify command fails after the agent; the command is marked as the job’s', async () => {
    await startService(
      makeConfig({}, {}, ['sh', '-c', 'echo "verifying $FLOTILLA_JOB_ID"; grep -q never note.txt']),
    );
    const job = await service.submit({ agent: 'hold', prompt: 'x', repo: 'app' });
    await reach(job.id, 'running');
    release(job.id);
    await reach(job.id, 'failed');
    const failed = (await service.get(job.id))!;
    expect(failed.error).toMatch(/verify failed/);
    // The marker a restart looks for to stop what a crash left running.
    expect(failed.result?.verify?.tail).toContain(`verifying ${job.id}`);
  });

  it('skips the verify command of a job that asks for none (verify: false)', async () => {
    await startService(makeConfig({}, {}, ['sh', '-c', 'grep -q never note.txt']));
    const job = await service.submit({ agent: 'hold', prompt: 'x', repo: 'app', verify: false });
    await reach(job.id, 'running');
    release(job.id);
    await reach(job.id, 'succeeded');
    expect((await service.get(job.id))?.result?.verify).toBeUndefined();
  });

  it('times out a verify command that hangs, with the job’s own bound', async () => {
    await startService(makeConfig({}, {}, ['sh', '-c', 'sleep 1000 & wait']));
    const job = await service.submit({ agent: 'hold', prompt: 'x', repo: 'app', timeout_s: 2 });
    await reach(job.id, 'running');
    release(job.id);
    await reach(job.id, 'timed_out');
    expect((await service.get(job.id))?.error).toMatch(/verify timed out/);
  });

  it('passes the verify of a job whose timeout is beyond what a timer can wait (no limit)', async () => {
    await startService(makeConfig({}, {}, ['sh', '-c', 'grep -q written note.txt']));
    // 3,000,000 s is more than a timer can wait (2^31 − 1 ms): no limit, for the verify as for the agent.
    const job = await service.submit({ agent: 'hold', prompt: 'x', repo: 'app', timeout_s: 3_000_000 });
    await reach(job.id, 'running');
    const waited = service.wait(job.id);
    release(job.id);
    const done = await waited;
    expect({ status: done?.status, error: done?.error }).toEqual({ status: 'succeeded', error: null });
    expect(done?.result?.verify?.exitCode).toBe(0);
  });

  it('times out the run only, never the wait in the queue, and kills the whole tree', async () => {
    await startService(makeConfig({ concurrency: 1 }));
    const blocker = await service.submit({ agent: 'hold', prompt: 'first' });
    // Queued for longer than its timeout, which still leaves its agent ample time to start once it runs
    // (a loaded machine can take most of a second to start a Node process).
    const patient = await service.submit({
      agent: 'hold',
      prompt: 'queued longer than its timeout',
      timeout_s: 2,
    });
    await reach(blocker.id, 'running');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    release(blocker.id);
    await reach(patient.id, 'running');
    release(patient.id);
    await reach(patient.id, 'succeeded');

    const sleepy = await service.submit({ agent: 'sleepy', prompt: 'x', timeout_s: 0.3 });
    await reach(sleepy.id, 'timed_out');
    const grandchild = Number((await service.get(sleepy.id))!.output_tail);
    expect(grandchild).toBeGreaterThan(1);
    expect(alive(grandchild)).toBe(false);
  });

  it('times out a job whose timeout is a fraction of a millisecond: a positive bound is never "no limit"', async () => {
    await startService(makeConfig({}, { napper: { type: 'cli', command: ['sleep', '5'] } }));
    const job = await service.submit({ agent: 'napper', prompt: 'x', timeout_s: 0.0004 });
    const done = await service.wait(job.id);
    expect(done?.status).toBe('timed_out');
  });

  it('stops an agent that falls silent as stalled, its tree killed; the idle clock is the agent’s alone', async () => {
    const quick: AgentProfile = { type: 'cli', command: ['sh', '-c', 'echo done'] };
    // The verify is silent for longer than the idle timeout of the job it checks.
    await startService(makeConfig({ concurrency: 1 }, { quick }, ['sleep', '1.5']));
    const blocker = await service.submit({ agent: 'hold', prompt: 'first' });
    const patient = await service.submit({ agent: 'quick', prompt: 'x', repo: 'app', idle_timeout_s: 1 });
    await reach(blocker.id, 'running');
    // Queued for longer than its idle timeout.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    release(blocker.id);
    const verified = await service.wait(patient.id);
    expect({ status: verified?.status, error: verified?.error }).toEqual({
      status: 'succeeded',
      error: null,
    });
    expect(verified?.result?.verify?.exitCode).toBe(0);

    const sleepy = await service.submit({ agent: 'sleepy', prompt: 'x', idle_timeout_s: 0.5 });
    const stalled = await service.wait(sleepy.id);
    expect({ status: stalled?.status, error: stalled?.error }).toEqual({
      status: 'stalled',
      error: 'no output for 0.5 s (idle timeout)',
    });
    const grandchild = Number(stalled!.output_tail);
    expect(grandchild).toBeGreaterThan(1);
    expect(alive(grandchild)).toBe(false);
  });

  it('refuses an idle timeout that is not a number of seconds > 0, or for an OpenAI-compatible agent', async () => {
    const endpoint: AgentProfile = { type: 'openai', base_url: 'http://127.0.0.1:1/v1', model: 'm' };
    await startService(makeConfig({}, { endpoint }));
    await expect(service.submit({ agent: 'hold', prompt: 'x', idle_timeout_s: 0 })).rejects.toThrow(
      /^idle_timeout_s: expected a number of seconds > 0/,
    );
    await expect(service.submit({ agent: 'endpoint', prompt: 'x', idle_timeout_s: 60 })).rejects.toThrow(
      /^idle_timeout_s: agent "endpoint" is an OpenAI-compatible endpoint/,
    );
    expect((await service.list({})).items).toHaveLength(0);
  });

  it('cancels a queued job before it runs and a running one with its process tree', async () => {
    await startService(makeConfig({ concurrency: 1 }));
    const running = await service.submit({ agent: 'sleepy', prompt: 'x' });
    const queued = await service.submit({ agent: 'hold', prompt: 'never runs' });
    await reach(running.id, 'running');
    const cancelledQueued = await service.cancel(queued.id);
    expect(cancelledQueued?.status).toBe('cancelled');
    expect(cancelledQueued).toEqual(await service.get(queued.id));
    let grandchild = 0;
    while (grandchild === 0) {
      grandchild = Number(store.events.list(running.id).find((e) => e.type === 'job.log')?.line ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const cancelledRunning = await service.cancel(running.id);
    expect(cancelledRunning?.status).toBe('cancelled');
    expect(cancelledRunning).toEqual(await service.get(running.id));
    expect(alive(grandchild)).toBe(false);
    expect(store.events.list(queued.id).some((e) => e.type === 'job.status' && e.status === 'running')).toBe(
      false,
    );
  });

  it('caps an agent under the global bound', async () => {
    await startService(
      makeConfig(
        { concurrency: 4 },
        {
          capped: { type: 'cli', command: [process.execPath, HOLD_AGENT, gates, '{job_id}'], concurrency: 1 },
        },
      ),
    );
    const a = await service.submit({ agent: 'capped', prompt: '1' });
    const b = await service.submit({ agent: 'capped', prompt: '2' });
    const c = await service.submit({ agent: 'hold', prompt: '3' });
    await reach(a.id, 'running');
    await reach(c.id, 'running');
    expect((await service.get(b.id))?.status).toBe('queued');
    release(a.id);
    await reach(b.id, 'running');
    release(b.id);
    release(c.id);
    await reach(b.id, 'succeeded');
  });

  it('after a restart resumes queued jobs in order and runs an interrupted one again once', async () => {
    const config = makeConfig({ concurrency: 1 });
    await startService(config);
    const first = await service.submit({ agent: 'hold', prompt: 'interrupted' });
    const second = await service.submit({ agent: 'hold', prompt: 'queued' });
    await reach(first.id, 'running');
    await service.stop();
    expect(store.jobs.get(first.id)?.status).toBe('interrupted');
    expect(store.jobs.get(second.id)?.status).toBe('queued');

    await startService(config);
    await reach(first.id, 'running');
    release(first.id);
    await reach(second.id, 'running');
    release(second.id);
    await reach(second.id, 'succeeded');
    expect(await service.get(first.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('evicts finished jobs after job_ttl_s with their events, diff and branch', async () => {
    const config = makeConfig();
    await startService(config);
    const job = await service.submit({ agent: 'hold', prompt: 'x', repo: 'app' });
    await reach(job.id, 'running');
    release(job.id);
    await reach(job.id, 'succeeded');
    const { fetchFrom, branch } = (await service.get(job.id))!.result!;
    expect(git(fetchFrom!, 'branch', '--list', branch!)).toContain(job.id);
    await service.stop();

    await startService({ ...config, server: { ...config.server, job_ttl_s: 0.001 } });
    expect(await service.get(job.id)).toBeUndefined();
    expect(store.events.list(job.id)).toEqual([]);
    expect(await service.diff(job.id)).toBeUndefined();
    expect(git(fetchFrom!, 'branch', '--list', branch!)).toBe('');
  });

  it('is the only job service of its home: a second one is refused and touches nothing', async () => {
    const config = makeConfig();
    const first = await startService(config);
    const job = await first.submit({ agent: 'hold', prompt: 'x' });
    await reach(job.id, 'running');
    // Another process's view of the same home: its own connection to the database.
    const otherStore = openStore({ home: config.home });
    const second = new JobService({
      store: otherStore,
      config,
      workspaces: new WorkspaceManager({ home: config.home, repos: config.repos }),
    });
    try {
      await expect(second.start()).rejects.toMatchObject({
        code: 'E_HOME_BUSY',
        message: expect.stringContaining(`pid ${process.pid} on `) as string,
      });
      await expect(second.submit({ agent: 'hold', prompt: 'y' })).rejects.toThrow(/idle/);
      // The first one's job was neither taken for a crash's leftover nor run again.
      expect(store.jobs.get(job.id)).toMatchObject({ status: 'running', attempts: 1 });
      release(job.id);
      expect((await first.wait(job.id))?.status).toBe('succeeded');
      // Once the first stops, the home is free.
      await first.stop();
      await second.start();
      const next = await second.submit({ agent: 'fail', prompt: 'z' });
      expect((await second.wait(next.id))?.status).toBe('failed');
    } finally {
      await second.stop();
      otherStore.close();
    }
  });

  it('takes the home over at once from a holder whose process is gone', async () => {
    const config = makeConfig();
    const deadPid = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString(),
    );
    const acquired = store.leases.acquire('jobs', {
      owner: `${hostname()}:${deadPid}:00000000`,
      ttlMs: 60_000,
    });
    expect(acquired.acquired).toBe(true);
    await startService(config);
    expect(store.leases.get('jobs')?.owner).toMatch(new RegExp(`:${process.pid}:`));
    await service.stop();
    expect(store.leases.get('jobs')).toBeUndefined();
  });

  it('checks the env of a job stored before env_allow again when it runs: a refused name fails it, no code runs', async () => {
    const marker = join(dir, 'pwned');
    const code = `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "ran");`;
    const env = { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(code)}` };
    // As an older version stored it: accepted, queued, not run yet.
    store.jobs.insert({
      id: 'job_0000000000000000stored',
      agent: 'node',
      prompt: 'x',
      repo: null,
      ref: null,
      priority: 0,
      spec: { agent: 'node', prompt: 'x', env },
    });
    const node = { type: 'cli' as const, command: [process.execPath, '-e', 'console.log("ran")'] };
    await startService(makeConfig({}, { node: { ...node, env_allow: ['NODE_OPTIONS'] } }));
    const done = await service.wait('job_0000000000000000stored');
    expect(done?.status).toBe('failed');
    expect(done?.error).toContain('env.NODE_OPTIONS: never accepted from a request');
    expect(existsSync(marker)).toBe(false);
  });

  it('gives a whole result for a job that failed before its agent, also as an older version stored it', async () => {
    await startService(makeConfig());
    const job = await service.submit({ agent: 'hold', prompt: 'x', repo: 'app', ref: 'no-such-ref' });
    const failed = await service.wait(job.id);
    // What a job whose agent never ran has done: nothing.
    const none = { attempts: 0, output: '', changedFiles: [], branch: null, commit: null, fetchFrom: null };
    expect(failed).toMatchObject({ status: 'failed', result: none });
    expect(failed?.error).toContain('Unknown ref "no-such-ref"');

    // Versions before stored only the timings of such a job.
    const timings = { queued_ms: 1, workspace_ms: 2, run_ms: 0 };
    store.jobs.insert({
      id: 'job_0000000000000000older',
      agent: 'hold',
      prompt: 'x',
      repo: 'app',
      ref: 'gone',
      priority: 0,
      spec: {},
    });
    store.jobs.finish('job_0000000000000000older', {
      status: 'failed',
      finishedAt: new Date().toISOString(),
      exitCode: null,
      signal: null,
      error: 'Unknown ref "gone"',
      outputTail: null,
      result: { timings },
    });
    expect((await service.get('job_0000000000000000older'))?.result).toEqual({ timings, ...none });
  });

  it('brings back every acknowledged job after a restart, even beyond a smaller queue bound', async () => {
    await startService(makeConfig({ concurrency: 1, maxQueue: 5 }));
    const ids: string[] = [];
    for (const prompt of ['a', 'b', 'c']) ids.push((await service.submit({ agent: 'hold', prompt })).id);
    await reach(ids[0]!, 'running');
    await service.stop();

    await startService(makeConfig({ concurrency: 1, maxQueue: 0 }));
    for (const id of ids) {
      await reach(id, 'running');
      release(id);
      expect((await service.wait(id))?.status).toBe('succeeded');
    }
    // The bound applies to new work again: with nothing running, a job starts; a second one may not wait.
    const fresh = await service.submit({ agent: 'hold', prompt: 'new' });
    await expect(service.submit({ agent: 'hold', prompt: 'refused' })).rejects.toThrow(QueueFullError);
    release(fresh.id);
  });
});
