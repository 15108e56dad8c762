import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../src/exec/index.js';
import { decompose, listPlanFiles, type PlanFile } from '../src/plan/index.js';
import { compare, measure, printTable } from './measure.js';
import { GIT_ENV, generateRepository, REPOSITORY_FILES } from './workspace.bench.js';

const PATHS = 100_000;
const ROUNDS = 7;
const TARGET_MS = 1000;

/**
 * 100,000 paths shaped like a large monorepo: 20 packages × 10 folders × 10 subfolders × 50 files, sizes
 * from 200 bytes to 12 KB, in a shuffled order (the decomposition sorts them itself).
 */
function monorepoPaths(): PlanFile[] {
  const files: PlanFile[] = [];
  for (let p = 0; p < 20; p++) {
    for (let d = 0; d < 10; d++) {
      for (let s = 0; s < 10; s++) {
        for (let f = 0; f < 50; f++) {
          const n = files.length;
          files.push({
            path: `packages/pkg-${p}/src/mod-${d}/part-${s}/file-${f}.ts`,
            bytes: 200 + ((n * 7919) % 12_000),
          });
        }
      }
    }
  }
  for (let i = files.length - 1; i > 0; i--) {
    const j = (i * 2_654_435_761) % (i + 1);
    [files[i], files[j]] = [files[j]!, files[i]!];
  }
  return files;
}

/**
 * The planner's own cost: decomposing 100,000 paths (the target: under a second), and a dry run's work on
 * a real 10,000-file repository (listing git's files at HEAD, then decomposing) beside `git ls-tree -r -l`
 * of the same commit alone, the floor any planner that asks git pays.
 */
export async function benchPlan(): Promise<{ ok: boolean }> {
  const paths = monorepoPaths();
  let leaves = 0;
  let depth = 0;
  const decomposed = await measure(
    'decompose 100,000 paths',
    () => {
      const plan = decompose(paths);
      leaves = plan.stats.leaves;
      depth = plan.stats.max_depth;
      return Promise.resolve();
    },
    ROUNDS,
  );
  console.log(`\n## plan: decomposing ${PATHS.toLocaleString('en-US')} paths (median of ${ROUNDS} rounds)\n`);
  printTable(
    ['work', 'median', 'min', 'max', 'leaves', 'depth'],
    [
      [
        decomposed.name,
        `${decomposed.medianMs.toFixed(1)} ms`,
        `${decomposed.minMs.toFixed(1)} ms`,
        `${decomposed.maxMs.toFixed(1)} ms`,
        String(leaves),
        String(depth),
      ],
    ],
  );
  const ok = decomposed.medianMs < TARGET_MS;
  console.log(
    `\n${ok ? '✓' : '✗'} decompose ${PATHS.toLocaleString('en-US')} paths: ${decomposed.medianMs.toFixed(1)} ms (target < ${TARGET_MS} ms)`,
  );

  const root = mkdtempSync(join(tmpdir(), 'flotilla-bench-plan-'));
  try {
    const repo = join(root, 'repo');
    generateRepository(repo);
    const results = await compare(
      [
        {
          name: 'git ls-tree -r -l HEAD',
          fn: async () => {
            const listed = await runProcess(['git', '-C', repo, 'ls-tree', '-r', '-l', 'HEAD'], {
              env: GIT_ENV,
            });
            if (listed.exitCode !== 0) throw new Error(`git ls-tree failed: ${listed.tail.join(' | ')}`);
          },
        },
        {
          name: 'flotilla list + decompose',
          fn: async () => {
            const source = await listPlanFiles(repo);
            decompose(source.files);
          },
        },
      ],
      ROUNDS,
    );
    const floor = results[0]!.medianMs;
    console.log(
      `\n## plan: a dry run's work on a ${REPOSITORY_FILES.toLocaleString('en-US')}-file repository (median of ${ROUNDS} interleaved rounds)\n`,
    );
    printTable(
      ['contender', 'median', 'min', 'max', 'vs git ls-tree'],
      results.map((m) => [
        m.name,
        `${m.medianMs.toFixed(1)} ms`,
        `${m.minMs.toFixed(1)} ms`,
        `${m.maxMs.toFixed(1)} ms`,
        `${(m.medianMs / floor).toFixed(2)}×`,
      ]),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { ok };
}
