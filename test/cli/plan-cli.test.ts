import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { gitIn, initRepository, writeFiles } from '../helpers/git.js';

/** The spawned CLI starts through tsx: seconds on this machine. */
const TIMEOUT_MS = 60_000;

interface DryRun {
  plan: { id: string; task: string; root: string };
  leaves: { id: string; path: string; files: string[]; tokens: number; depth: number; sparse: string[] }[];
  stats: { files: number; leaves: number; max_depth: number };
}

let dir = '';
let repo = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-plan-dry-'));
  repo = join(dir, 'mono');
  const files: Record<string, string> = { '.gitignore': 'node_modules/\n', 'README.md': '# mono\n' };
  for (const pkg of ['api', 'web', 'cli']) {
    for (let n = 0; n < 12; n += 1) files[`packages/${pkg}/src/m${n}.ts`] = `export const m${n} = ${n};\n`;
    files[`packages/${pkg}/package.json`] = '{}\n';
  }
  initRepository(repo, files);
  writeFiles(repo, { 'node_modules/dep/index.js': 'ignored', 'packages/api/src/scratch.ts': 'untracked' });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const dryRun = (...args: string[]) =>
  runCli(['plan', ...args, '--dry-run', '--home', join(dir, 'home')], { cwd: dir });

describe('flotilla plan --dry-run', () => {
  it(
    'prints the leaves as JSON: every tracked file once, ignored and untracked never, the same ids every time',
    async () => {
      const { code, stdout, stderr } = await dryRun(
        repo,
        '--task',
        'Use the new logger',
        '--max-files',
        '10',
        '--json',
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const plan = JSON.parse(stdout) as DryRun;
      expect(plan.plan).toMatchObject({ task: 'Use the new logger', root: repo });
      expect(plan.plan.id).toMatch(/^[0-9a-f]{10}$/);
      const files = plan.leaves.flatMap((leaf) => leaf.files);
      expect(files.sort()).toEqual(gitIn(repo, 'ls-files').split('\n').sort());
      expect(files).not.toContain('node_modules/dep/index.js');
      expect(files).not.toContain('packages/api/src/scratch.ts');
      expect(plan.stats).toMatchObject({ files: 41, leaves: plan.leaves.length });
      expect(plan.stats.max_depth).toBe(Math.max(...plan.leaves.map((leaf) => leaf.depth)));
      for (const leaf of plan.leaves) {
        expect(leaf.files.length).toBeLessThanOrEqual(10);
        expect(leaf.id).toMatch(/^[a-z0-9-]+$/);
      }
      const again = JSON.parse(
        (await dryRun(repo, '--task', 'Use the new logger', '--max-files', '10', '--json')).stdout,
      ) as DryRun;
      expect(again).toEqual(plan);
      // Nothing was stored: a dry run opens no home.
      expect(existsSync(join(dir, 'home'))).toBe(false);
    },
    TIMEOUT_MS,
  );

  it(
    'plans a subfolder with paths from the repository root, and prints the tree for people',
    async () => {
      const { code, stdout } = await dryRun(join(repo, 'packages/api'), '--task', 'T', '--max-files', '5');
      expect(code).toBe(0);
      expect(stdout).toMatch(
        /^plan [0-9a-f]{10} over .*packages\/api: 13 tracked files, \d+ leaves, depth \d+/,
      );
      // The split starts at packages/api (no depth spent on the folders above it); parts are numbered.
      expect(stdout).toMatch(/^packages\/api {2}13 files/m);
      expect(stdout).toContain('packages/api/src (1/3)');
      expect(stdout).toContain('Nothing ran (--dry-run)');
      const json = JSON.parse(
        (await dryRun(join(repo, 'packages/api'), '--task', 'T', '--json')).stdout,
      ) as DryRun;
      expect(json.leaves.flatMap((leaf) => leaf.files)).toContain('packages/api/src/m0.ts');
    },
    TIMEOUT_MS,
  );

  it(
    'plans any folder outside a repository, with every file',
    async () => {
      const plain = join(dir, 'plain');
      writeFiles(plain, { 'a.txt': 'a', 'b/c.txt': 'c' });
      const plan = JSON.parse((await dryRun(plain, '--task', 'T', '--json')).stdout) as DryRun;
      expect(plan.leaves).toEqual([expect.objectContaining({ path: '.', files: ['a.txt', 'b/c.txt'] })]);
    },
    TIMEOUT_MS,
  );

  it(
    'refuses bad flags with exit 2, naming the flag, and runs nothing',
    async () => {
      const cases: [string[], RegExp][] = [
        [[repo, '--task', 'T', '--max-files', '0'], /--max-files expects an integer ≥ 1, got "0"/],
        [[repo, '--task', 'T', '--max-depth', 'deep'], /--max-depth expects an integer/],
        [[repo], /--task is required/],
        [[join(dir, 'missing'), '--task', 'T'], /missing: no such folder/],
        [
          [repo, '--task', 'T', '--ref', 'no-such-branch'],
          /ref "no-such-branch" is not a branch, tag or commit/,
        ],
      ];
      for (const [args, message] of cases) {
        const { code, stderr } = await dryRun(...args);
        expect(stderr, args.join(' ')).toMatch(message);
        expect(code, args.join(' ')).toBe(2);
      }
      const noAgent = await runCli(['plan', repo, '--task', 'T', '--home', join(dir, 'home')], { cwd: dir });
      expect(noAgent.stderr).toMatch(/--agent is required to run a plan/);
      expect(noAgent.code).toBe(2);
      expect(gitIn(repo, 'branch', '--list', 'flotilla/*')).toBe('');
    },
    TIMEOUT_MS,
  );
});
