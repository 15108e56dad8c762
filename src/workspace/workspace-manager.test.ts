import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.js';
import {
  commitTo,
  createSource,
  gitIn,
  INITIAL_FILES,
  listFiles,
  tempDir,
  writeFiles,
} from './git-repos.fixture.js';
import { WorkspaceManager, type Workspace } from './index.js';

let temp: ReturnType<typeof tempDir>;
let source: string;
let home: string;
let commits: ReturnType<typeof createSource>;
let manager: WorkspaceManager;

beforeEach(async () => {
  temp = tempDir('flotilla-ws-');
  source = join(temp.dir, 'source');
  home = join(temp.dir, 'home');
  commits = createSource(source);
  manager = new WorkspaceManager({ home, repos: { app: { path: source } } });
  await manager.start();
});

afterEach(async () => {
  await manager.stop();
  temp.remove();
});

describe('WorkspaceManager.prepare', () => {
  it('gives concurrent jobs distinct checkouts and never touches the source working tree', async () => {
    // Dirty the source: a modified tracked file, a staged change, an untracked file.
    writeFileSync(join(source, 'README.md'), 'local edit\n');
    writeFiles(source, { 'docs/guide.md': 'staged\n', 'scratch.txt': 'untracked\n' });
    gitIn(source, 'add', 'docs/guide.md');
    const statusBefore = gitIn(source, 'status', '--porcelain');
    const filesBefore = listFiles(source).map((path) => [path, readFileSync(join(source, path), 'utf8')]);

    const [a, b] = await Promise.all([
      manager.prepare({ jobId: 'job-a', repo: 'app' }),
      manager.prepare({ jobId: 'job-b', repo: 'app' }),
    ]);
    expect(a.path).not.toBe(b.path);
    writeFileSync(join(a.path, 'README.md'), 'job a\n');
    expect(readFileSync(join(b.path, 'README.md'), 'utf8')).toBe(INITIAL_FILES['README.md']);
    expect(readFileSync(join(a.path, 'README.md'), 'utf8')).toBe('job a\n');
    await manager.finish(a);
    await Promise.all([manager.release(a), manager.release(b)]);

    expect(gitIn(source, 'status', '--porcelain')).toBe(statusBefore);
    expect(listFiles(source).map((path) => [path, readFileSync(join(source, path), 'utf8')])).toEqual(
      filesBefore,
    );
    expect(gitIn(source, 'branch', '--list', 'flotilla/*')).toBe('');
  });

  it('serializes only the short lock: six concurrent prepares of one repository get six checkouts', async () => {
    const jobs = Array.from({ length: 6 }, (_, i) => `job-${i}`);
    const workspaces = await Promise.all(jobs.map((jobId) => manager.prepare({ jobId, repo: 'app' })));
    expect(new Set(workspaces.map((ws) => ws.path)).size).toBe(6);
    for (const ws of workspaces) {
      expect(listFiles(ws.path)).toEqual(Object.keys(INITIAL_FILES).sort());
      expect(ws.baseCommit).toBe(commits.first);
    }
    await Promise.all(workspaces.map((ws) => manager.release(ws)));
  });

  it('checks out a branch, a tag, an annotated tag, a commit, and the source HEAD by default', async () => {
    const cases: [string | undefined, string][] = [
      ['feature', commits.feature],
      ['v1', commits.first],
      ['v1-notes', commits.first],
      [commits.feature, commits.feature],
      [commits.feature.slice(0, 10), commits.feature],
      ['refs/heads/feature', commits.feature],
      [undefined, commits.first],
    ];
    for (const [i, [ref, expected]] of cases.entries()) {
      const ws = await manager.prepare({
        jobId: `ref-${i}`,
        repo: 'app',
        ...(ref === undefined ? {} : { ref }),
      });
      expect(ws.baseCommit).toBe(expected);
      expect(gitIn(ws.path, 'rev-parse', 'HEAD')).toBe(expected);
      expect(existsSync(join(ws.path, 'src/feature.ts'))).toBe(expected === commits.feature);
      expect(ws.ref).toBe(ref ?? 'HEAD');
      await manager.release(ws);
    }
  });

  it("uses the repository's configured ref when the request names none", async () => {
    const configured = new WorkspaceManager({ home, repos: { app: { path: source, ref: 'feature' } } });
    await configured.start();
    try {
      const ws = await configured.prepare({ jobId: 'default-ref', repo: 'app' });
      expect(ws).toMatchObject({ ref: 'feature', baseCommit: commits.feature });
      await configured.release(ws);
    } finally {
      await configured.stop();
    }
  });

  it('refreshes the warm base when the source gets a new commit', async () => {
    const first = await manager.prepare({ jobId: 'before', repo: 'app', ref: 'main' });
    await manager.release(first);
    const second = commitTo(source, { 'src/new.ts': 'new\n' });
    const ws = await manager.prepare({ jobId: 'after', repo: 'app', ref: 'main' });
    expect(ws.baseCommit).toBe(second);
    expect(readFileSync(join(ws.path, 'src/new.ts'), 'utf8')).toBe('new\n');
    expect(gitIn(ws.basePath, 'rev-parse', 'refs/heads/main')).toBe(second);
    await manager.release(ws);
  });

  it('reuses a pooled checkout as a clean tree: new and ignored files gone, changes undone', async () => {
    const first = await manager.prepare({ jobId: 'dirty', repo: 'app' });
    expect(first.fromPool).toBe(false);
    writeFiles(first.path, { 'new/file.txt': 'x', 'debug.log': 'ignored', 'src/main.ts': 'changed' });
    gitIn(first.path, 'rm', '--quiet', 'docs/guide.md');
    gitIn(first.path, 'switch', '--quiet', '-c', 'agent-branch');
    await manager.release(first);

    const second = await manager.prepare({ jobId: 'clean', repo: 'app', ref: 'feature' });
    expect(second.fromPool).toBe(true);
    expect(second.path).toBe(first.path);
    expect(listFiles(second.path)).toEqual([...Object.keys(INITIAL_FILES), 'src/feature.ts'].sort());
    expect(readFileSync(join(second.path, 'src/main.ts'), 'utf8')).toBe(INITIAL_FILES['src/main.ts']);
    expect(gitIn(second.path, 'status', '--porcelain', '--ignored')).toBe('');
    expect(gitIn(second.path, 'rev-parse', 'HEAD')).toBe(commits.feature);
    // Detached: the job's branch did not move.
    expect(gitIn(second.path, 'branch', '--show-current')).toBe('');
    expect(gitIn(source, 'rev-parse', 'main')).toBe(commits.first);
    await manager.release(second);
  });

  it('deletes checkouts beyond the pool size on release', async () => {
    const small = new WorkspaceManager({
      home: join(temp.dir, 'home2'),
      repos: { app: { path: source } },
      poolSize: 1,
    });
    await small.start();
    try {
      const [a, b] = await Promise.all([
        small.prepare({ jobId: 'a', repo: 'app' }),
        small.prepare({ jobId: 'b', repo: 'app' }),
      ]);
      await small.release(a);
      await small.release(b);
      expect(existsSync(a.path)).toBe(true);
      expect(existsSync(b.path)).toBe(false);
      expect(gitIn(a.basePath, 'worktree', 'list')).not.toContain(b.path);
    } finally {
      await small.stop();
    }
  });

  it('refuses an unknown repository and an unknown ref with their codes', async () => {
    const unknownRepo = await manager.prepare({ jobId: 'x', repo: 'nope' }).catch((error: unknown) => error);
    expect(hasCode(unknownRepo, 'E_REPO_UNKNOWN')).toBe(true);
    expect(String(unknownRepo)).toMatch(/"nope".*allowed: app/);
    const inherited = await manager
      .prepare({ jobId: 'x', repo: 'toString' })
      .catch((error: unknown) => error);
    expect(hasCode(inherited, 'E_REPO_UNKNOWN')).toBe(true);
    for (const ref of ['no-such-branch', '--output=/tmp/x', 'deadbeef'.repeat(5)]) {
      const error = await manager.prepare({ jobId: 'y', repo: 'app', ref }).catch((e: unknown) => e);
      expect(hasCode(error, 'E_REF_UNKNOWN')).toBe(true);
    }
    const workspaces = await manager.prepare({ jobId: 'y', repo: 'app' });
    await manager.release(workspaces);
  });

  it('starts from a commit that only a flotilla/* branch of the source holds, named by its id', async () => {
    // A plan's result branch: the refresh never fetches flotilla/* branches, but a job may start from its commit.
    await manager.release(await manager.prepare({ jobId: 'warm', repo: 'app' }));
    gitIn(source, 'switch', '--quiet', '-c', 'flotilla/plan-x');
    const planned = commitTo(source, { 'planned.txt': 'merged\n' }, 'merged leaves');
    gitIn(source, 'switch', '--quiet', 'main');
    const workspace = await manager.prepare({ jobId: 'reconcile', repo: 'app', ref: planned });
    expect(workspace.baseCommit).toBe(planned);
    expect(readFileSync(join(workspace.path, 'planned.txt'), 'utf8')).toBe('merged\n');
    await manager.release(workspace);
    // By its name the branch stays the job branches' namespace: not the source's.
    const byName = await manager
      .prepare({ jobId: 'z', repo: 'app', ref: 'flotilla/plan-x' })
      .catch((e: unknown) => e);
    expect(hasCode(byName, 'E_REF_UNKNOWN')).toBe(true);
  });

  it('refuses a bad job id, bad sparse paths, and a second workspace for one job', async () => {
    for (const jobId of ['', '../x', 'a b', 'x.lock', '-x']) {
      const error = await manager.prepare({ jobId, repo: 'app' }).catch((e: unknown) => e);
      expect(hasCode(error, 'E_INVALID_ARGUMENT')).toBe(true);
    }
    for (const paths of [['../up'], ['/abs'], ['.'], ['a/.git']]) {
      const error = await manager.prepare({ jobId: 'p', repo: 'app', paths }).catch((e: unknown) => e);
      expect(hasCode(error, 'E_INVALID_ARGUMENT')).toBe(true);
    }
    const ws = await manager.prepare({ jobId: 'once', repo: 'app' });
    const again = await manager.prepare({ jobId: 'once', repo: 'app' }).catch((e: unknown) => e);
    expect(hasCode(again, 'E_INVALID_ARGUMENT')).toBe(true);
    await manager.release(ws);
  });

  it('reports a missing source folder as E_REPO_UNAVAILABLE', async () => {
    const broken = new WorkspaceManager({ home, repos: { gone: { path: join(temp.dir, 'missing') } } });
    await broken.start();
    const error = await broken.prepare({ jobId: 'g', repo: 'gone' }).catch((e: unknown) => e);
    expect(hasCode(error, 'E_REPO_UNAVAILABLE')).toBe(true);
    await broken.stop();
  });

  it('rejects with the reason of an aborted signal and leaves no checkout behind', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    controller.abort(reason);
    await expect(manager.prepare({ jobId: 'aborted', repo: 'app', signal: controller.signal })).rejects.toBe(
      reason,
    );
    const ws: Workspace = await manager.prepare({ jobId: 'aborted', repo: 'app' });
    expect(ws.fromPool).toBe(false);
    await manager.release(ws);
  });

  it('refuses to prepare before start and after stop; release is idempotent; finish after release fails', async () => {
    const ws = await manager.prepare({ jobId: 'life', repo: 'app' });
    await manager.release(ws);
    await manager.release(ws);
    const late = await manager.finish(ws).catch((e: unknown) => e);
    expect(hasCode(late, 'E_WORKSPACE_STATE')).toBe(true);
    await manager.stop();
    expect(manager.state).toBe('stopped');
    const stopped = await manager.prepare({ jobId: 'late', repo: 'app' }).catch((e: unknown) => e);
    expect(hasCode(stopped, 'E_WORKSPACE_STATE')).toBe(true);
  });
});
