import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GIT_ENV } from '../../../test/helpers/git.js';
import { PlanError } from '../plan-error.js';
import { mergeLeaves, type LeafChange, type MergeOptions } from './merge.js';
import {
  branchCommits,
  change,
  CONFIG_LINES,
  createSource,
  gitIn,
  leafDiff,
  LOGO,
  sourceState,
  tempDir,
  writeBytes,
  writeFiles,
} from './merge-repos.fixture.js';

const BRANCH = 'flotilla/plan-3f2a1c9d0e';

let temp: ReturnType<typeof tempDir>;
let source: string;
let base: string;

beforeEach(() => {
  temp = tempDir('flotilla-merge-test-');
  source = join(temp.dir, 'source');
  base = createSource(source);
});
afterEach(() => temp.remove());

function merge(changes: readonly LeafChange[], options: Partial<MergeOptions> = {}) {
  return mergeLeaves({ repo: source, base, branch: BRANCH, changes, runId: 'run-1', ...options });
}

/** The diff of a leaf that writes `files` (path → content). */
function writing(files: Readonly<Record<string, string>>): string {
  return leafDiff(source, base, (dir) => writeFiles(dir, files));
}

/** The config file with some lines replaced (1-based line number → text). */
function config(replaced: Readonly<Record<number, string>>): string {
  return `${CONFIG_LINES.map((line, index) => replaced[index + 1] ?? line).join('\n')}\n`;
}

function show(ref: string, path: string): string {
  return gitIn(source, 'show', `${ref}:${path}`);
}

async function planError(promise: Promise<unknown>): Promise<PlanError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PlanError);
  return error as PlanError;
}

describe('mergeLeaves', () => {
  it('applies leaves touching disjoint files as linear commits and leaves the source as it was', async () => {
    const changes = [
      change('leaf-a', ['src/a/one.ts'], writing({ 'src/a/one.ts': 'export const one = 11;\n' })),
      change('leaf-b', ['src/b/two.ts'], writing({ 'src/b/two.ts': 'export const two = 22;\n' })),
      change('leaf-c', ['src/c/three.ts'], writing({ 'src/c/three.ts': 'export const three = 33;\n' })),
    ];
    // Work in progress the merge must not disturb: a staged edit, an unstaged edit, an untracked file.
    writeFiles(source, { 'README.md': '# staged\n' });
    gitIn(source, 'add', 'README.md');
    writeFiles(source, { 'src/a/one.ts': 'export const one = "local";\n', 'notes.txt': 'untracked\n' });
    const before = sourceState(source);

    const result = await merge(changes);

    expect(result.applied).toEqual(['leaf-a', 'leaf-b', 'leaf-c']);
    expect(result).toMatchObject({ branch: BRANCH, unchanged: [], conflicts: [], unapplicable: [] });
    expect(result.scope_violations).toEqual([]);
    expect(result.changed_files).toEqual({
      'leaf-a': ['src/a/one.ts'],
      'leaf-b': ['src/b/two.ts'],
      'leaf-c': ['src/c/three.ts'],
    });
    const commits = branchCommits(source, base, BRANCH);
    expect(commits).toHaveLength(3);
    expect(commits.map((commit) => commit.parents)).toEqual([
      [base],
      [commits[0]!.commit],
      [commits[1]!.commit],
    ]);
    expect(commits.map((commit) => commit.runs)).toEqual([['run-1'], ['run-1'], ['run-1']]);
    expect(commits.map((commit) => commit.subject)).toEqual([
      'Plan leaf leaf-a',
      'Plan leaf leaf-b',
      'Plan leaf leaf-c',
    ]);
    expect(gitIn(source, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(result.head);
    expect(result.head).toBe(commits[2]!.commit);
    expect(show(BRANCH, 'src/a/one.ts')).toBe('export const one = 11;');
    expect(show(BRANCH, 'src/b/two.ts')).toBe('export const two = 22;');
    expect(show(BRANCH, 'src/c/three.ts')).toBe('export const three = 33;');
    expect(show(BRANCH, 'README.md')).toBe('# app');

    expect(sourceState(source)).toEqual(before);
    expect(readFileSync(join(source, 'src/a/one.ts'), 'utf8')).toBe('export const one = "local";\n');
    expect(readFileSync(join(source, 'notes.txt'), 'utf8')).toBe('untracked\n');
  });

  it('reports a leaf editing the lines an earlier leaf edited as a conflict and does not apply it', async () => {
    const changes = [
      change('first', ['shared/config.txt'], writing({ 'shared/config.txt': config({ 5: 'first' }) })),
      change('second', ['src/a/one.ts'], writing({ 'shared/config.txt': config({ 5: 'second' }) })),
    ];

    const result = await merge(changes);

    expect(result.applied).toEqual(['first']);
    expect(result.conflicts).toEqual([{ leaf: 'second', with: ['first'], files: ['shared/config.txt'] }]);
    expect(show(BRANCH, 'shared/config.txt')).toBe(config({ 5: 'first' }).trimEnd());
    expect(branchCommits(source, base, BRANCH)).toHaveLength(1);
    // Predicted before the merge: the second leaf also wrote outside its files.
    expect(result.scope_violations).toEqual([{ leaf: 'second', files: ['shared/config.txt'] }]);
  });

  it('names in `with` only the applied leaves that touch the conflicting files', async () => {
    const changes = [
      change('edits-config', ['shared/config.txt'], writing({ 'shared/config.txt': config({ 2: 'x' }) })),
      change('edits-one', ['src/a/one.ts'], writing({ 'src/a/one.ts': 'export const one = 0;\n' })),
      change(
        'edits-both',
        ['shared/config.txt', 'src/b/two.ts'],
        writing({ 'shared/config.txt': config({ 2: 'y' }), 'src/b/two.ts': 'export const two = 0;\n' }),
      ),
    ];

    const result = await merge(changes);

    expect(result.applied).toEqual(['edits-config', 'edits-one']);
    expect(result.conflicts).toEqual([
      { leaf: 'edits-both', with: ['edits-config'], files: ['shared/config.txt'] },
    ]);
    expect(show(BRANCH, 'src/b/two.ts')).toBe('export const two = 2;');
  });

  it('names in `with` a leaf that made a folder where a later leaf edits a file', async () => {
    const folder = leafDiff(source, base, (dir) => {
      execFileSync('rm', [join(dir, 'shared/config.txt')]);
      writeFiles(dir, { 'shared/config.txt/inner.txt': 'inner\n' });
    });
    const changes = [
      change('to-folder', ['shared/config.txt'], folder),
      change('edits-file', ['shared/config.txt'], writing({ 'shared/config.txt': config({ 3: 'z' }) })),
    ];

    const result = await merge(changes);

    expect(result.applied).toEqual(['to-folder']);
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]).toMatchObject({ leaf: 'edits-file', with: ['to-folder'] });
    expect(result.conflicts[0]!.files).toEqual(['shared/config.txt']);
  });

  it('merges two leaves editing different parts of one file (a clean 3-way merge)', async () => {
    const changes = [
      change('top', ['shared/config.txt'], writing({ 'shared/config.txt': config({ 1: 'top' }) })),
      change('bottom', ['shared/config.txt'], writing({ 'shared/config.txt': config({ 10: 'bottom' }) })),
    ];

    const result = await merge(changes);

    expect(result.applied).toEqual(['top', 'bottom']);
    expect(result.conflicts).toEqual([]);
    expect(show(BRANCH, 'shared/config.txt')).toBe(config({ 1: 'top', 10: 'bottom' }).trimEnd());
  });

  it('flags changes outside a leaf except new files in its scope', async () => {
    const changes = [
      change(
        'in-scope',
        ['src/a/one.ts'],
        writing({ 'src/a/helper.ts': 'export const helper = 1;\n', 'src/a/deep/x.ts': 'x\n' }),
        { dirs: ['src/a'] },
      ),
      change('tree-scope', ['src/b/two.ts'], writing({ 'src/b/deep/er/y.ts': 'y\n' }), { trees: ['src/b'] }),
      change('edits-other', ['src/c/three.ts'], writing({ 'src/a/one.ts': 'export const one = -1;\n' }), {
        trees: ['src'],
      }),
      change(
        'deletes-other',
        ['README.md'],
        leafDiff(source, base, (dir) => execFileSync('rm', [join(dir, 'src/b/two.ts')])),
        { trees: [''] },
      ),
    ];

    const result = await merge(changes);

    expect(result.scope_violations).toEqual([
      { leaf: 'in-scope', files: ['src/a/deep/x.ts'] },
      { leaf: 'edits-other', files: ['src/a/one.ts'] },
      { leaf: 'deletes-other', files: ['src/b/two.ts'] },
    ]);
    // A violation is reported, not refused: the leaves are merged all the same.
    expect(result.applied).toEqual(['in-scope', 'tree-scope', 'edits-other', 'deletes-other']);
    expect(result.changed_files['deletes-other']).toEqual(['src/b/two.ts']);
  });

  it('reports a leaf whose diff is empty as unchanged, and leaves the branch at base when nothing applies', async () => {
    const result = await merge([
      change('quiet', ['src/a/one.ts'], ''),
      change('same', ['src/b/two.ts'], writing({ 'src/b/two.ts': 'export const two = 2;\n' })),
    ]);

    expect(result).toMatchObject({ applied: [], unchanged: ['quiet', 'same'], head: base });
    expect(result.changed_files).toEqual({ quiet: [], same: [] });
    expect(gitIn(source, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(base);
  });

  it('applies a binary file change', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x00, 0x80, 0x81, 0xc3, 0x28, ...LOGO]);
    const diff = leafDiff(source, base, (dir) => {
      writeBytes(dir, 'assets/logo.bin', bytes);
      writeBytes(dir, 'assets/new.bin', LOGO);
    });
    expect(diff).toContain('GIT binary patch');

    const result = await merge([change('assets', ['assets/logo.bin'], diff, { dirs: ['assets'] })]);

    expect(result.applied).toEqual(['assets']);
    const blob = (path: string): Buffer =>
      execFileSync('git', ['-C', source, 'cat-file', 'blob', `${BRANCH}:${path}`], { env: GIT_ENV });
    expect(blob('assets/logo.bin').equals(bytes)).toBe(true);
    expect(blob('assets/new.bin').equals(LOGO)).toBe(true);
    expect(result.scope_violations).toEqual([]);
  });

  it('reports a diff git cannot apply onto base as unapplicable and merges the others', async () => {
    const stale = writing({ 'src/a/one.ts': 'export const one = 11;\n' }).replace(
      '-export const one = 1;',
      '-export const one = 999;',
    );
    const result = await merge([
      change('garbage', ['src/a/one.ts'], 'this is not a diff\n'),
      change('stale', ['src/a/one.ts'], stale),
      change('fine', ['src/b/two.ts'], writing({ 'src/b/two.ts': 'export const two = 22;\n' })),
    ]);

    expect(result.applied).toEqual(['fine']);
    expect(result.unapplicable.map((entry) => entry.leaf)).toEqual(['garbage', 'stale']);
    expect(result.unapplicable[0]!.error).toMatch(/no valid patches/i);
    expect(result.unapplicable[1]!.error).toContain('src/a/one.ts');
    expect(result.unapplicable[1]!.error).not.toContain('999');
    expect(result.changed_files).toEqual({ fine: ['src/b/two.ts'] });
  });

  it('reports the conflicting file of a leaf by its real name, however unusual', async () => {
    const name = 'docs/naïve "quoted"\tname.md';
    const seeded = gitIn(source, 'rev-parse', 'HEAD');
    writeFiles(source, { [name]: 'original\n' });
    gitIn(source, 'add', '--', name);
    gitIn(source, 'commit', '--quiet', '-m', 'unusual');
    base = gitIn(source, 'rev-parse', 'HEAD');
    expect(base).not.toBe(seeded);

    const result = await merge([
      change('one', [name], writing({ [name]: 'one\n' })),
      change('two', [name], writing({ [name]: 'two\n' })),
    ]);

    expect(result.changed_files).toEqual({ one: [name], two: [name] });
    expect(result.conflicts).toEqual([{ leaf: 'two', with: ['one'], files: [name] }]);
  });

  it('works from a folder inside the repository', async () => {
    const result = await merge([change('a', ['src/a/one.ts'], writing({ 'src/a/one.ts': 'one\n' }))], {
      repo: join(source, 'src', 'b'),
    });
    expect(result.applied).toEqual(['a']);
    expect(show(BRANCH, 'src/a/one.ts')).toBe('one');
  });
});

describe('mergeLeaves and an existing branch', () => {
  it('refuses a branch another run made and changes nothing', async () => {
    gitIn(source, 'branch', BRANCH, 'HEAD');
    gitIn(source, 'switch', '--quiet', BRANCH);
    writeFiles(source, { 'mine.txt': 'mine\n' });
    gitIn(source, 'add', 'mine.txt');
    gitIn(source, 'commit', '--quiet', '-m', 'mine\n\nFlotilla-Run: run-0');
    gitIn(source, 'switch', '--quiet', 'main');
    const before = { ...sourceState(source), branch: gitIn(source, 'rev-parse', BRANCH) };

    const error = await planError(merge([change('a', ['src/a/one.ts'], writing({ 'src/a/one.ts': '1\n' }))]));

    expect(error.code).toBe('E_PLAN_BRANCH_EXISTS');
    expect(error.message).toContain(BRANCH);
    expect(error.message).toContain(`git branch -D ${BRANCH}`);
    expect({ ...sourceState(source), branch: gitIn(source, 'rev-parse', BRANCH) }).toEqual(before);
  });

  it('moves the branch when the same run merges again', async () => {
    const first = await merge([change('a', ['src/a/one.ts'], writing({ 'src/a/one.ts': '1\n' }))]);
    const second = await merge([
      change('a', ['src/a/one.ts'], writing({ 'src/a/one.ts': '1\n' })),
      change('b', ['src/b/two.ts'], writing({ 'src/b/two.ts': '2\n' })),
    ]);

    expect(second.head).not.toBe(first.head);
    expect(gitIn(source, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(second.head);
    expect(branchCommits(source, base, BRANCH).map((commit) => commit.subject)).toEqual([
      'Plan leaf a',
      'Plan leaf b',
    ]);

    const other = merge([change('b', ['src/b/two.ts'], '')], { runId: 'run-2' });
    expect((await planError(other)).code).toBe('E_PLAN_BRANCH_EXISTS');
    expect(gitIn(source, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(second.head);
  });

  it('moves a branch still at base, which holds no commit of anyone', async () => {
    gitIn(source, 'branch', BRANCH, base);
    const result = await merge([change('a', ['src/a/one.ts'], writing({ 'src/a/one.ts': '1\n' }))], {
      message: (leafId) => `Edit ${leafId}`,
    });
    expect(gitIn(source, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(result.head);
    expect(branchCommits(source, base, BRANCH).map((commit) => commit.subject)).toEqual(['Edit a']);
  });

  it('refuses a branch checked out in a worktree', async () => {
    gitIn(source, 'switch', '--quiet', '-c', BRANCH);
    const error = await planError(merge([change('a', ['src/a/one.ts'], writing({ 'src/a/one.ts': '1\n' }))]));
    expect(error.code).toBe('E_PLAN_BRANCH_EXISTS');
    expect(error.message).toContain('checked out');
    expect(gitIn(source, 'rev-parse', 'HEAD')).toBe(base);
  });
});

describe('mergeLeaves refuses', () => {
  it('an invalid branch name, a base that is not a full commit id of the repository, a bad run id', async () => {
    const cases: [Partial<MergeOptions>, string][] = [
      [{ branch: 'flotilla/plan..x' }, 'branch'],
      [{ branch: '@{-1}' }, 'branch'],
      [{ base: 'main' }, 'base'],
      [{ base: 'f'.repeat(40) }, 'base'],
      [{ runId: 'run 1' }, 'runId'],
      [{ runId: 'run\n1' }, 'runId'],
    ];
    for (const [options, field] of cases) {
      const error = await planError(merge([], options));
      expect([error.code, error.field]).toEqual(['E_INVALID_ARGUMENT', field]);
    }
    const twice = [change('a', ['src/a/one.ts'], ''), change('a', ['src/b/two.ts'], '')];
    expect((await planError(merge(twice))).field).toBe('changes');
    expect(gitIn(source, 'branch', '--list', 'flotilla/*')).toBe('');
  });

  it('a folder that is not a git repository', async () => {
    const plain = join(temp.dir, 'plain');
    execFileSync('mkdir', [plain]);
    writeFileSync(join(plain, 'file.txt'), 'x\n');
    const error = await planError(merge([], { repo: plain }));
    expect([error.code, error.field]).toEqual(['E_REPO_UNAVAILABLE', 'repo']);
  });

  it('to go on once its signal is aborted, and writes no branch', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const changes = [change('a', ['src/a/one.ts'], writing({ 'src/a/one.ts': '1\n' }))];
    await expect(merge(changes, { signal: controller.signal })).rejects.toThrow('stop');
    expect(gitIn(source, 'branch', '--list', 'flotilla/*')).toBe('');
  });
});
