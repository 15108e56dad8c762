import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSource, gitIn, INITIAL_FILES, tempDir, writeFiles } from './git-repos.fixture.js';
import { WorkspaceManager } from './index.js';

let temp: ReturnType<typeof tempDir>;
let source: string;
let manager: WorkspaceManager;

beforeEach(async () => {
  temp = tempDir('flotilla-change-');
  source = join(temp.dir, 'source');
  createSource(source);
  manager = new WorkspaceManager({ home: join(temp.dir, 'home'), repos: { app: { path: source } } });
  await manager.start();
});

afterEach(async () => {
  await manager.stop();
  temp.remove();
});

/** A fresh clone of the source, to fetch job branches into as a user would. */
function userClone(): string {
  const dir = join(temp.dir, `user-${Math.random().toString(16).slice(2)}`);
  gitIn(temp.dir, 'clone', '--quiet', source, dir);
  return dir;
}

describe('WorkspaceManager.finish', () => {
  it('diffs new, modified and deleted files against the base commit and commits them on flotilla/<job>', async () => {
    const ws = await manager.prepare({ jobId: 'job-1', repo: 'app' });
    writeFiles(ws.path, {
      'src/main.ts': 'export const answer = 43;\n',
      'src/added.ts': 'added\n',
      'x.log': 'ignored',
    });
    rmSync(join(ws.path, 'docs/guide.md'));
    writeFileSync(join(ws.path, 'image.bin'), Buffer.from([0, 1, 2, 255, 0, 10]));

    const change = await manager.finish(ws);
    expect(change.changedFiles).toEqual(['docs/guide.md', 'image.bin', 'src/added.ts', 'src/main.ts']);
    expect(change.diff).toContain('diff --git a/src/main.ts b/src/main.ts');
    expect(change.diff).toContain('-export const answer = 42;\n+export const answer = 43;\n');
    expect(change.diff).toContain('new file mode 100644\nindex 0000000..');
    expect(change.diff).toContain('+++ b/src/added.ts\n@@ -0,0 +1 @@\n+added\n');
    expect(change.diff).toContain('deleted file mode 100644');
    expect(change.diff).toContain('GIT binary patch');
    expect(change.diff).not.toContain('x.log');
    expect(change.branch).toBe('flotilla/job-1');
    expect(change.commit).toMatch(/^[0-9a-f]{40}$/);

    // The diff applies to a clean tree at the base commit.
    const check = userClone();
    writeFileSync(join(temp.dir, 'change.diff'), change.diff);
    gitIn(check, 'apply', '--index', join(temp.dir, 'change.diff'));
    expect(readFileSync(join(check, 'src/added.ts'), 'utf8')).toBe('added\n');

    // A user fetches the branch from the warm base.
    const user = userClone();
    gitIn(user, 'fetch', '--quiet', ws.basePath, 'flotilla/job-1');
    expect(gitIn(user, 'rev-parse', 'FETCH_HEAD')).toBe(change.commit);
    expect(gitIn(user, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'FETCH_HEAD')).toBe(
      'Flotilla <flotilla@localhost>|Flotilla <flotilla@localhost>',
    );
    expect(gitIn(user, 'rev-parse', 'FETCH_HEAD^')).toBe(ws.baseCommit);
    expect(gitIn(user, 'show', 'FETCH_HEAD:src/added.ts')).toBe('added');
    await manager.release(ws);
    // The branch outlives the workspace; the source never gets it.
    expect(gitIn(ws.basePath, 'rev-parse', 'refs/heads/flotilla/job-1')).toBe(change.commit);
    expect(gitIn(source, 'branch', '--list', 'flotilla/*')).toBe('');
  });

  it('returns an empty diff and no commit when nothing changed', async () => {
    const ws = await manager.prepare({ jobId: 'idle-job', repo: 'app' });
    writeFiles(ws.path, { 'only.log': 'ignored files are not a change' });
    const change = await manager.finish(ws);
    expect(change).toEqual({ diff: '', changedFiles: [], commit: null, branch: null });
    expect(gitIn(ws.basePath, 'branch', '--list', 'flotilla/*')).toBe('');
    await manager.release(ws);
  });

  it('keeps commits the job made itself, plus what it left uncommitted', async () => {
    const ws = await manager.prepare({ jobId: 'committer', repo: 'app' });
    writeFiles(ws.path, { 'a.txt': 'a\n' });
    gitIn(ws.path, 'add', 'a.txt');
    gitIn(ws.path, 'commit', '--quiet', '-m', 'by the agent');
    writeFiles(ws.path, { 'b.txt': 'b\n' });
    const change = await manager.finish(ws);
    expect(change.changedFiles).toEqual(['a.txt', 'b.txt']);
    expect(
      gitIn(ws.basePath, 'log', '--format=%s', `${ws.baseCommit}..flotilla/committer`).split('\n'),
    ).toEqual(['Flotilla job committer', 'by the agent']);
    // Finishing again changes nothing.
    expect(await manager.finish(ws)).toEqual(change);
    await manager.release(ws);
  });

  it('commits a job that only committed, without an extra commit', async () => {
    const ws = await manager.prepare({ jobId: 'only-commits', repo: 'app' });
    writeFiles(ws.path, { 'README.md': `${INITIAL_FILES['README.md']}more\n` });
    gitIn(ws.path, 'commit', '--quiet', '-am', 'agent commit');
    const head = gitIn(ws.path, 'rev-parse', 'HEAD');
    const change = await manager.finish(ws);
    expect(change).toMatchObject({
      changedFiles: ['README.md'],
      commit: head,
      branch: 'flotilla/only-commits',
    });
    await manager.release(ws);
  });

  it('never fetches a source branch named flotilla/* over a job branch', async () => {
    gitIn(source, 'branch', 'flotilla/job-9');
    const ws = await manager.prepare({ jobId: 'job-9', repo: 'app' });
    expect(gitIn(ws.basePath, 'branch', '--list', 'flotilla/*')).toBe('');
    writeFiles(ws.path, { 'n.txt': 'n\n' });
    const change = await manager.finish(ws);
    await manager.release(ws);
    gitIn(source, 'commit', '--quiet', '--allow-empty', '-m', 'moves main');
    const next = await manager.prepare({ jobId: 'job-10', repo: 'app' });
    expect(gitIn(next.basePath, 'rev-parse', 'refs/heads/flotilla/job-9')).toBe(change.commit);
    await manager.release(next);
  });
});
