import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSource, gitIn, tempDir, writeFiles } from './git-repos.fixture.js';
import { WorkspaceManager } from './index.js';

let temp: ReturnType<typeof tempDir>;
let source: string;
let home: string;
const managers: WorkspaceManager[] = [];

beforeEach(() => {
  temp = tempDir('flotilla-orphans-');
  source = join(temp.dir, 'source');
  home = join(temp.dir, 'home');
  createSource(source);
});

afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.stop();
  temp.remove();
});

async function started(): Promise<WorkspaceManager> {
  const manager = new WorkspaceManager({ home, repos: { app: { path: source } } });
  managers.push(manager);
  await manager.start();
  return manager;
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

/** Rewrites a checkout's owner marker as if another process had written it. */
function markAs(path: string, pid: number, state: 'busy' | 'idle'): void {
  const markerFile = `${path}.owner.json`;
  const marker = JSON.parse(readFileSync(markerFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(markerFile, JSON.stringify({ ...marker, pid, state }));
}

describe('orphan collection at start', () => {
  it('deletes checkouts whose owner died while busy, and unmarked folders, and forgets their worktrees', async () => {
    const crashed = await started();
    const ws = await crashed.prepare({ jobId: 'crashed', repo: 'app' });
    writeFiles(ws.path, { 'half-done.txt': 'x' });
    // The process "dies": its marker names a dead pid and nobody releases the workspace.
    markAs(ws.path, deadPid(), 'busy');
    const checkouts = join(home, 'workspaces', 'app', 'checkouts');
    const stray = join(checkouts, 'w-stray');
    mkdirSync(stray);
    writeFileSync(join(checkouts, 'w-gone.owner.json'), '{}');
    mkdirSync(join(home, 'workspaces', 'app', 'base.git.tmp-1-2'));

    const next = await started();
    expect(existsSync(ws.path)).toBe(false);
    expect(existsSync(`${ws.path}.owner.json`)).toBe(false);
    expect(existsSync(stray)).toBe(false);
    expect(existsSync(join(checkouts, 'w-gone.owner.json'))).toBe(false);
    expect(existsSync(join(home, 'workspaces', 'app', 'base.git.tmp-1-2'))).toBe(false);
    expect(gitIn(ws.basePath, 'worktree', 'list')).not.toContain(ws.path);
    const fresh = await next.prepare({ jobId: 'next', repo: 'app' });
    expect(fresh.fromPool).toBe(false);
    await next.release(fresh);
  });

  it('treats a busy marker with our own pid as an earlier process (a restarted container)', async () => {
    const first = await started();
    const ws = await first.prepare({ jobId: 'same-pid', repo: 'app' });
    const other = new WorkspaceManager({ home, repos: { app: { path: source } } });
    managers.push(other);
    await other.start();
    expect(existsSync(ws.path)).toBe(false);
  });

  it('leaves alone the checkouts of another live process', async () => {
    const first = await started();
    const ws = await first.prepare({ jobId: 'alive', repo: 'app' });
    markAs(ws.path, process.ppid, 'busy');
    await started();
    expect(existsSync(ws.path)).toBe(true);
  });

  it('adopts the clean checkouts an earlier process left in its pool', async () => {
    const first = await started();
    const ws = await first.prepare({ jobId: 'pooled', repo: 'app', paths: ['docs'] });
    await first.release(ws);
    await first.stop();
    markAs(ws.path, deadPid(), 'idle');

    const second = await started();
    const reused = await second.prepare({ jobId: 'reused', repo: 'app', paths: ['docs'] });
    expect(reused).toMatchObject({ path: ws.path, fromPool: true });
    expect(gitIn(reused.path, 'sparse-checkout', 'list')).toBe('docs');
    await second.release(reused);
  });
});
