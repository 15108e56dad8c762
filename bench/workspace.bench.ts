import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../src/exec/index.js';
import { WorkspaceManager, type Workspace } from '../src/workspace/index.js';
import { compare, printTable, type Contender } from './measure.js';

const DIRS = 250;
const FILES_PER_DIR = 40;
const ROUNDS = 7;
const TARGET_RATIO = 0.2;

/** The generated repository's number of files. */
export const REPOSITORY_FILES = DIRS * FILES_PER_DIR;

export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@localhost',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@localhost',
};

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, stdio: 'ignore' });
}

/** A repository of DIRS × FILES_PER_DIR small files in one commit on `main`, and `other`: one file changed. */
export function generateRepository(dir: string): void {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  for (let d = 0; d < DIRS; d++) {
    const folder = join(dir, `pkg-${String(d).padStart(3, '0')}`, 'src');
    mkdirSync(folder, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) {
      writeFileSync(
        join(folder, `file-${f}.ts`),
        `export const value${d}_${f} = ${d * FILES_PER_DIR + f};\n`,
      );
    }
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'initial');
  git(dir, 'switch', '--quiet', '-c', 'other');
  writeFileSync(join(dir, 'pkg-000', 'src', 'file-0.ts'), 'export const changed = true;\n');
  git(dir, 'commit', '--quiet', '-am', 'one change');
  git(dir, 'switch', '--quiet', 'main');
}

/**
 * Workspace ready time for a generated 10,000-file repository: a prepare from the warm pool (after a
 * first prepare and release) against `git clone --local` of the same repository, measured interleaved.
 * Also shown, not targeted: a pooled checkout moved to another commit, and a cold checkout (no pool).
 */
export async function benchWorkspace(): Promise<{ ok: boolean }> {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-bench-ws-'));
  const source = join(root, 'source');
  const warm = new WorkspaceManager({ home: join(root, 'home-warm'), repos: { big: { path: source } } });
  const cold = new WorkspaceManager({
    home: join(root, 'home-cold'),
    repos: { big: { path: source } },
    poolSize: 0,
  });
  try {
    generateRepository(source);
    await Promise.all([warm.start(), cold.start()]);
    let job = 0;
    let held: Workspace | undefined;
    let clone = '';
    const release = (manager: WorkspaceManager) => async () => {
      if (held !== undefined) await manager.release(held);
      held = undefined;
    };
    let flip = false;
    const contenders: Contender[] = [
      {
        name: 'git clone --local',
        fn: async () => {
          clone = join(root, `clone-${job++}`);
          const result = await runProcess(['git', 'clone', '--local', '--quiet', source, clone], {
            env: GIT_ENV,
          });
          if (result.exitCode !== 0) throw new Error(`git clone --local failed: ${result.tail.join(' | ')}`);
        },
        after: () => Promise.resolve(rmSync(clone, { recursive: true, force: true })),
      },
      {
        name: 'flotilla warm pool',
        fn: async () => {
          held = await warm.prepare({ jobId: `w${job++}`, repo: 'big', ref: 'main' });
        },
        after: release(warm),
      },
      {
        name: 'flotilla pool, other commit',
        fn: async () => {
          flip = !flip;
          held = await warm.prepare({ jobId: `o${job++}`, repo: 'big', ref: flip ? 'other' : 'main' });
        },
        after: release(warm),
      },
      {
        name: 'flotilla cold (no pool)',
        fn: async () => {
          held = await cold.prepare({ jobId: `c${job++}`, repo: 'big', ref: 'main' });
        },
        after: release(cold),
      },
    ];
    const results = await compare(contenders, ROUNDS);
    const byName = new Map(results.map((m) => [m.name, m]));
    const clonedMs = byName.get('git clone --local')!.medianMs;
    const ratio = byName.get('flotilla warm pool')!.medianMs / clonedMs;

    console.log(
      `\nWorkspace ready time: ${(DIRS * FILES_PER_DIR).toLocaleString('en-US')}-file repository, median of ${ROUNDS} interleaved rounds\n`,
    );
    printTable(
      ['contender', 'median', 'min', 'max', 'vs clone --local'],
      results.map((m) => [
        m.name,
        `${m.medianMs.toFixed(1)} ms`,
        `${m.minMs.toFixed(1)} ms`,
        `${m.maxMs.toFixed(1)} ms`,
        `${(m.medianMs / clonedMs).toFixed(3)}×`,
      ]),
    );
    const ok = ratio <= TARGET_RATIO;
    console.log(
      `\n${ok ? '✓' : '✗'} warm-pool workspace / git clone --local = ${ratio.toFixed(3)}× (target ≤ ${TARGET_RATIO}×)`,
    );
    return { ok };
  } finally {
    await Promise.all([warm.stop(), cold.stop()]);
    rmSync(root, { recursive: true, force: true });
  }
}
