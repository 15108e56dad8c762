import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processesWithEnvironment } from '../../exec/index.js';
import { PlanError } from '../plan-error.js';
import { createSource, gitIn, sourceState, tempDir, writeFiles } from './merge-repos.fixture.js';
import { VERIFY_TAIL_LINES, verifyResult, type VerifyOptions } from './verify.js';

let temp: ReturnType<typeof tempDir>;
let source: string;
let commit: string;
let before: Record<string, string>;

beforeEach(() => {
  temp = tempDir('flotilla-verify-test-');
  source = join(temp.dir, 'source');
  const base = createSource(source);
  // The commit to verify is on a side branch; the source stays on main at base, with local work.
  gitIn(source, 'switch', '--quiet', '-c', 'result');
  writeFiles(source, { 'src/result.ts': 'export const result = true;\n' });
  gitIn(source, 'add', '-A');
  gitIn(source, 'commit', '--quiet', '-m', 'result');
  commit = gitIn(source, 'rev-parse', 'HEAD');
  gitIn(source, 'switch', '--quiet', 'main');
  expect(gitIn(source, 'rev-parse', 'HEAD')).toBe(base);
  writeFiles(source, { 'README.md': '# local edit\n', 'scratch.txt': 'untracked\n' });
  before = sourceState(source);
});

afterEach(() => temp.remove());

/** A marker only this test's processes carry, to find any it left behind. */
function marked(): { marker: Record<string, string>; env: Record<string, string | undefined> } {
  const marker = { FLOTILLA_VERIFY_TEST: `${process.pid}-${Math.random().toString(36).slice(2)}` };
  return { marker, env: { PATH: process.env.PATH, ...marker } };
}

function verify(command: string[], options: Partial<VerifyOptions> = {}) {
  return verifyResult({ repo: source, commit, command, env: { PATH: process.env.PATH }, ...options });
}

/** The worktree folder the command printed (its first line, `pwd`) is gone, and git knows of no other. */
function expectCleanedUp(tail: readonly string[]): void {
  const folder = tail[0]!;
  expect(folder).toMatch(/flotilla-verify-/);
  expect(existsSync(folder)).toBe(false);
  expect(gitIn(source, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  const registered = join(source, '.git', 'worktrees');
  expect(existsSync(registered) ? readdirSync(registered) : []).toEqual([]);
  expect(sourceState(source)).toEqual(before);
}

describe('verifyResult', () => {
  it('passes when the command exits 0 in a checkout of the commit', async () => {
    const result = await verify(['sh', '-c', 'pwd && test -f src/result.ts && cat src/result.ts']);

    expect(result).toEqual({
      ok: true,
      exitCode: 0,
      timedOut: false,
      tail: [expect.any(String), 'export const result = true;'],
    });
    expectCleanedUp(result.tail);
  });

  it('fails with the exit code and the last lines of output', async () => {
    const script = 'pwd; for i in $(seq 1 30); do echo "line $i"; done; echo oops >&2; exit 3';
    const result = await verify(['sh', '-c', script]);

    expect(result).toMatchObject({ ok: false, exitCode: 3, timedOut: false });
    expect(result.tail).toHaveLength(VERIFY_TAIL_LINES);
    expect(result.tail.at(-1)).toBe('oops');
    expect(result.tail.at(-2)).toBe('line 30');
    // The first line (the folder) is out of the tail: check the cleanup through git alone.
    expect(gitIn(source, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(sourceState(source)).toEqual(before);
  });

  it('runs the command without a shell and with only the environment given', async () => {
    const result = await verify(
      ['sh', '-c', 'pwd; echo "[$0] [$FLOTILLA_ONLY_HERE] [${HOME:-none}]"', '$(boom);*'],
      {
        env: { PATH: process.env.PATH, FLOTILLA_ONLY_HERE: 'yes' },
      },
    );
    expect(result.tail.at(-1)).toBe('[$(boom);*] [yes] [none]');
    expectCleanedUp(result.tail);
  });

  it('times out: the whole process group is killed and nothing is left behind', async () => {
    const { marker, env } = marked();
    const result = await verify(['sh', '-c', 'pwd; sleep 30 & sleep 30'], { env, timeoutMs: 300 });

    expect(result).toMatchObject({ ok: false, exitCode: null, timedOut: true });
    expect(await processesWithEnvironment(marker)).toEqual([]);
    expectCleanedUp(result.tail);
  });

  it('rejects with the reason when cancelled, killing the command and removing the worktree', async () => {
    const { marker, env } = marked();
    const controller = new AbortController();
    const started = join(temp.dir, 'started');
    const run = verify(['sh', '-c', `pwd > ${started}; sleep 30 & sleep 30`], {
      env,
      signal: controller.signal,
    });
    while (!existsSync(started)) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('user stop'));

    await expect(run).rejects.toThrow('user stop');
    expect(await processesWithEnvironment(marker)).toEqual([]);
    expect(gitIn(source, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(sourceState(source)).toEqual(before);
  });

  it('removes the worktree when the command cannot start', async () => {
    await expect(verify(['flotilla-no-such-program-here'])).rejects.toMatchObject({ code: 'E_SPAWN' });
    expect(gitIn(source, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(sourceState(source)).toEqual(before);
  });

  it('refuses an empty command and a commit that is not in the repository', async () => {
    const error = await verify([]).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(PlanError);
    expect(error).toMatchObject({ code: 'E_INVALID_ARGUMENT', field: 'verify' });

    await expect(verify(['true'], { commit: 'f'.repeat(40) })).rejects.toMatchObject({ code: 'E_GIT' });
    expect(gitIn(source, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });
});
