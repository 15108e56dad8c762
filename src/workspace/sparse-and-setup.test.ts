import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.js';
import { createSource, gitIn, INITIAL_FILES, listFiles, tempDir, writeFiles } from './git-repos.fixture.js';
import { WorkspaceManager } from './index.js';

let temp: ReturnType<typeof tempDir>;
let source: string;
let home: string;

beforeEach(() => {
  temp = tempDir('flotilla-sparse-');
  source = join(temp.dir, 'source');
  home = join(temp.dir, 'home');
  createSource(source);
});

afterEach(() => temp.remove());

async function withManager(
  repos: ConstructorParameters<typeof WorkspaceManager>[0]['repos'],
  body: (manager: WorkspaceManager) => Promise<void>,
): Promise<void> {
  const manager = new WorkspaceManager({ home, repos, poolSize: 1 });
  await manager.start();
  try {
    await body(manager);
  } finally {
    await manager.stop();
  }
}

const ROOT_FILES = ['.gitignore', 'README.md'];

describe('sparse workspaces', () => {
  it('hold only the named directories (and, as cone mode does, the files of the folders above them)', async () => {
    await withManager({ app: { path: source } }, async (manager) => {
      const ws = await manager.prepare({ jobId: 's1', repo: 'app', paths: ['./src/lib/', 'docs'] });
      expect(ws.paths).toEqual(['docs', 'src/lib']);
      expect(listFiles(ws.path)).toEqual([...ROOT_FILES, 'docs/guide.md', 'src/lib/util.ts', 'src/main.ts']);
      expect(existsSync(join(ws.path, 'assets'))).toBe(false);
      // A file written outside the cone is still part of the change.
      writeFiles(ws.path, { 'assets/new.txt': 'new\n', 'src/lib/util.ts': 'changed\n' });
      const change = await manager.finish(ws);
      expect(change.changedFiles).toEqual(['assets/new.txt', 'src/lib/util.ts']);
      expect(change.diff).not.toContain('deleted file');
      await manager.release(ws);
    });
  });

  it('re-sparsifies a pooled checkout, and gives it the whole tree again when no paths are asked', async () => {
    await withManager({ app: { path: source } }, async (manager) => {
      const first = await manager.prepare({ jobId: 's1', repo: 'app', paths: ['docs'] });
      await manager.release(first);
      const second = await manager.prepare({ jobId: 's2', repo: 'app', paths: ['assets'] });
      expect(second).toMatchObject({ path: first.path, fromPool: true });
      expect(listFiles(second.path)).toEqual([...ROOT_FILES, 'assets/logo.txt']);
      await manager.release(second);
      const third = await manager.prepare({ jobId: 's3', repo: 'app' });
      expect(third).toMatchObject({ path: first.path, fromPool: true, paths: null });
      expect(listFiles(third.path)).toEqual(Object.keys(INITIAL_FILES).sort());
      await manager.release(third);
      const fourth = await manager.prepare({ jobId: 's4', repo: 'app', paths: ['src'], ref: 'feature' });
      expect(listFiles(fourth.path)).toEqual([
        ...ROOT_FILES,
        'src/feature.ts',
        'src/lib/util.ts',
        'src/main.ts',
      ]);
      await manager.release(fourth);
    });
  });
});

describe('setup', () => {
  it('runs in the fresh workspace with the job id in its environment', async () => {
    const script =
      "require('fs').writeFileSync('setup.out', process.env.FLOTILLA_JOB_ID + ' ' + process.cwd())";
    await withManager({ app: { path: source, setup: [process.execPath, '-e', script] } }, async (manager) => {
      const ws = await manager.prepare({ jobId: 'with-setup', repo: 'app' });
      expect(readFileSync(join(ws.path, 'setup.out'), 'utf8')).toBe(`with-setup ${ws.path}`);
      expect(ws.timings.setupMs).toBeGreaterThanOrEqual(0);
      await manager.release(ws);
    });
  });

  it('fails prepare with E_SETUP_FAILED and the tail of its output, and keeps nothing', async () => {
    const script = "console.log('installing'); console.error('boom: no registry'); process.exit(3)";
    await withManager({ app: { path: source, setup: [process.execPath, '-e', script] } }, async (manager) => {
      const error = await manager.prepare({ jobId: 'bad-setup', repo: 'app' }).catch((e: unknown) => e);
      expect(hasCode(error, 'E_SETUP_FAILED')).toBe(true);
      expect(String(error)).toMatch(/exited with code 3/);
      expect(String(error)).toContain('boom: no registry');
      // The job id is free again and the checkout went back to the pool, clean.
      const retry = await manager.prepare({ jobId: 'bad-setup', repo: 'app' }).catch((e: unknown) => e);
      expect(hasCode(retry, 'E_SETUP_FAILED')).toBe(true);
    });
    await withManager({ app: { path: source } }, async (manager) => {
      const ws = await manager.prepare({ jobId: 'after', repo: 'app' });
      expect(ws.fromPool).toBe(true);
      expect(gitIn(ws.path, 'status', '--porcelain', '--ignored')).toBe('');
      await manager.release(ws);
    });
  });

  it('reports a setup command that cannot start', async () => {
    await withManager({ app: { path: source, setup: ['no-such-command-flotilla'] } }, async (manager) => {
      const error = await manager.prepare({ jobId: 'nostart', repo: 'app' }).catch((e: unknown) => e);
      expect(hasCode(error, 'E_SETUP_FAILED')).toBe(true);
      expect(String(error)).toContain('could not start');
      expect(existsSync(join(home, 'workspaces', 'app', 'base.git'))).toBe(true);
    });
  });
});
