import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLAN_AGENT, PLAN_FILES } from '../../src/plan/plan-repo.fixture.js';
import { openStore } from '../../src/store/index.js';
import { runCli, startCli } from '../helpers/cli.js';
import { gitIn, initRepository } from '../helpers/git.js';

/** The spawned CLI starts through tsx, then runs six agent jobs: seconds on this machine. */
const TIMEOUT_MS = 120_000;

let dir = '';
let repo = '';
let gates = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-plan-cli-'));
  repo = join(dir, 'app');
  gates = join(dir, 'gates');
  mkdirSync(gates);
  initRepository(repo, PLAN_FILES);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A configuration with the example plan agent; the repository is not in it (`plan DIR` adds it). */
function writeConfig(env: Record<string, string> = {}): string {
  const file = join(dir, 'flotilla.config.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      home: join(dir, 'home'),
      agents: { 'plan-agent': { command: [process.execPath, PLAN_AGENT, '{prompt}'], env } },
    }),
  );
  return file;
}

interface PlanJson {
  run: { id: string; status: string };
  plan: { id: string; task: string };
  stats: { leaves: number; peak_concurrency: number; max_parallel: number };
  leaves: { id: string; path: string; status: string; job_id: string }[];
  result: { branch: string; applied: string[]; conflicts: unknown[]; failed: unknown[] };
}

const planArgs = (config: string, ...more: string[]): string[] => [
  'plan',
  repo,
  '--task',
  'Use the new logger',
  '--agent',
  'plan-agent',
  '--max-files',
  '3',
  '--config',
  config,
  ...more,
];

describe('flotilla plan DIR (running it)', () => {
  it(
    'runs every leaf as a job, at most --max-parallel at once, and merges them onto flotilla/plan-<id>',
    async () => {
      const config = writeConfig();
      const { code, stdout, stderr } = await runCli(planArgs(config, '--max-parallel', '3', '--json'));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const plan = JSON.parse(stdout) as PlanJson;
      expect(plan.run.status).toBe('succeeded');
      expect(plan.stats.leaves).toBe(6);
      expect(plan.stats.max_parallel).toBe(3);
      expect(plan.stats.peak_concurrency).toBeGreaterThanOrEqual(1);
      expect(plan.stats.peak_concurrency).toBeLessThanOrEqual(3);
      expect(plan.result.applied).toEqual(plan.leaves.map((leaf) => leaf.id));
      expect(plan.result.branch).toBe(`flotilla/plan-${plan.plan.id}`);
      expect(gitIn(repo, 'rev-list', '--count', `main..${plan.result.branch}`)).toBe('6');
      expect(gitIn(repo, 'show', `${plan.result.branch}:src/e/f3.js`)).toContain('Use the new logger');
      // The user's checkout is as it was.
      expect(gitIn(repo, 'status', '--porcelain')).toBe('');

      // The plan is a run of kind plan, listed with its kind.
      const list = await runCli(['runs', 'list', '--kind', 'plan', '--json', '--config', config]);
      expect((JSON.parse(list.stdout) as { items: { id: string }[] }).items.map((run) => run.id)).toEqual([
        plan.run.id,
      ]);
    },
    TIMEOUT_MS,
  );

  it(
    'shows conflicts and exits 1; with --reconcile hands them to one more job and exits 0',
    async () => {
      // Every leaf also edits README.md: all but the first conflict.
      const config = writeConfig({ PLAN_AGENT_ALSO: 'README.md' });
      const plain = await runCli(planArgs(config));
      expect(plain.code).toBe(1);
      expect(plain.stdout).toMatch(
        /✖ leaf src-a-[0-9a-f]{6} conflicts with root-[0-9a-f]{6} in README\.md: not applied/,
      );
      expect(plain.stdout).toContain('hand them to an agent with --reconcile');
      gitIn(repo, 'branch', '-D', (/(flotilla\/plan-[0-9a-f]{10})/.exec(plain.stdout) ?? [])[1] ?? 'none');

      const reconciled = await runCli(planArgs(config, '--reconcile', '--json'));
      expect(reconciled.code, reconciled.stderr).toBe(0);
      const plan = JSON.parse(reconciled.stdout) as PlanJson & {
        result: { reconcile: { applied: boolean; leaves: string[] } };
      };
      expect(plan.result.conflicts).toHaveLength(5);
      expect(plan.result.reconcile).toMatchObject({ applied: true });
      expect(plan.result.reconcile.leaves).toHaveLength(5);
      expect(gitIn(repo, 'rev-list', '--count', `main..${plan.result.branch}`)).toBe('2');
    },
    TIMEOUT_MS,
  );

  it(
    'on Ctrl-C stops with 130; --resume never runs a finished leaf again and merges them all',
    async () => {
      const config = writeConfig({ PLAN_AGENT_GATE_DIR: gates });
      const cli = startCli(planArgs(config, '--max-parallel', '2'));
      // Plain lines (no terminal): `→ <leaf id> <path> started`. The first leaf (the root's own files,
      // `./*`) is let finish.
      await cli.waitForOutput('./* started');
      const first = /→ (\S+) \.\/\* started/.exec(cli.output())![1]!;
      writeFileSync(join(gates, first), 'ok');
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (new RegExp(`✔ ${first} .*succeeded`).test(cli.output())) resolve();
          else setTimeout(check, 20);
        };
        check();
      });
      cli.child.kill('SIGINT');
      const stopped = await cli.done;
      expect(stopped.code).toBe(130);
      const id = /flotilla plan --resume (\S+)/.exec(stopped.stdout)?.[1];
      expect(id, stopped.stdout).toBeDefined();

      // Every gate open: the leaves left run to the end.
      const open = writeConfig();
      const resumed = await runCli(['plan', '--resume', id!, '--json', '--config', open]);
      expect(resumed.code, resumed.stderr).toBe(0);
      const plan = JSON.parse(resumed.stdout) as PlanJson;
      expect(plan.result.applied).toHaveLength(6);
      // The jobs, as the store keeps them (`flotilla jobs` asks a server; this plan ran without one).
      const store = openStore({ home: join(dir, 'home') });
      const jobs = store.jobs.list({ limit: 100 });
      store.close();
      const ofFirst = jobs.items.filter(
        (job) => (job.spec as { metadata?: { plan_leaf?: string } }).metadata?.plan_leaf === first,
      );
      expect(ofFirst.map((job) => job.status)).toEqual(['succeeded']);
      // The leaves stopped by Ctrl-C were cancelled, never left to run again on their own.
      expect(new Set(jobs.items.map((job) => job.status))).toEqual(new Set(['succeeded', 'cancelled']));
      expect(jobs.items.filter((job) => job.status === 'succeeded')).toHaveLength(6);
    },
    TIMEOUT_MS,
  );
});
