import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLAN_AGENT, PLAN_FILES } from './plan-repo.fixture.js';
import { gitIn, initRepository } from '../../test/helpers/git.js';
import { loadConfig, type ResolvedConfig } from '../config/index.js';
import { openRuntime, type Runtime } from '../runtime/index.js';
import type { RunView } from '../workflow/index.js';
import type { PlanOutput } from './index.js';

let dir = '';
let repo = '';
let gates = '';
const opened: Runtime[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-plan-'));
  repo = join(dir, 'app');
  gates = join(dir, 'gates');
  mkdirSync(gates);
  initRepository(repo, PLAN_FILES);
});
afterEach(async () => {
  for (const runtime of opened.splice(0)) await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The configuration: the plan agent (with `env`), the repository as `app` (with `verify`). */
function configOf(env: Record<string, string> = {}, verify?: string[]): ResolvedConfig {
  const base = loadConfig({ cwd: dir, env: {}, flags: { home: join(dir, 'home'), concurrency: 4 } });
  return {
    ...base,
    agents: {
      'plan-agent': { type: 'cli', command: [process.execPath, PLAN_AGENT, '{prompt}'], env, timeout_s: 60 },
    },
    repos: { app: { path: repo, ...(verify === undefined ? {} : { verify }) } },
  };
}

async function open(config: ResolvedConfig): Promise<Runtime> {
  const runtime = await openRuntime({ config, heartbeatMs: 60_000, start: ['workflows', 'jobs'] });
  opened.push(runtime);
  return runtime;
}

const planWorkflow = (fields = ''): string => `schema_version: 1
workflow: { id: migrate }
inputs:
  parallel: { type: integer, default: 2 }
steps:
  - id: plan
    type: plan
    dir: app
    task: Use the new logger
    agent: plan-agent
    max_files: 3
    max_parallel: "{{ inputs.parallel }}"
${fields}`;

const outputOf = (view: RunView): PlanOutput => view.steps['plan']?.output as PlanOutput;
const release = (leaf: string, verdict = 'ok'): void => writeFileSync(join(gates, leaf), verdict);

/** Resolves once `count` leaf jobs are running (the jobs the runtime's scheduler lists as running). */
async function running(runtime: Runtime, count: number): Promise<string[]> {
  for (;;) {
    const jobs = (await runtime.jobs.list({ status: 'running' })).items;
    if (jobs.length >= count) {
      return jobs.map((job) => String((job.metadata as Record<string, unknown>)['plan_leaf']));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the plan step', () => {
  it('runs each leaf as an agent job, never more than max_parallel at once, and merges every change', async () => {
    const runtime = await open(configOf({ PLAN_AGENT_GATE_DIR: gates }));
    const definition = runtime.workflows.parse(planWorkflow());
    const handle = runtime.workflows.run(definition, {}, { kind: 'plan' });
    // The test decides when each leaf finishes: two run, the others wait for a slot of the plan.
    const released = new Set<string>();
    for (let round = 0; round < 6; round++) {
      const now = await running(runtime, Math.min(2, 6 - round));
      expect(now.length).toBeLessThanOrEqual(2);
      const next = now.find((leaf) => !released.has(leaf))!;
      released.add(next);
      release(next);
      // Once its job is no longer running, the next leaf may start.
      while (
        (await runtime.jobs.list({ status: 'running' })).items.some(
          (job) => (job.metadata as Record<string, unknown>)['plan_leaf'] === next,
        )
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const view = await handle.done;
    expect(view.status).toBe('succeeded');
    expect(view.kind).toBe('plan');
    const plan = outputOf(view);
    expect(plan.stats).toMatchObject({ files: 16, leaves: 6, max_parallel: 2, peak_concurrency: 2 });
    expect(plan.result.applied).toEqual(plan.leaves.map((leaf) => leaf.id));
    expect(plan.result).toMatchObject({ conflicts: [], failed: [], unapplicable: [] });
    expect(plan.scope_violations).toEqual([]);
    // One commit per leaf on the result branch, each file with its leaf's line; the source untouched.
    const branch = plan.result.branch;
    expect(branch).toBe(`flotilla/plan-${plan.plan.id}`);
    expect(gitIn(repo, 'rev-list', '--count', `${plan.base}..${branch}`)).toBe('6');
    for (const file of Object.keys(PLAN_FILES)) {
      expect(gitIn(repo, 'show', `${branch}:${file}`)).toContain('Use the new logger (plan leaf ');
    }
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    expect(gitIn(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(readFileSync(join(repo, 'src/a/f1.js'), 'utf8')).toBe(PLAN_FILES['src/a/f1.js']);
    // Each leaf's job checked out only its own folder (and the root's files): 4 of the 16 files; the
    // leaf of the root's own files, the whole tree.
    const jobs = (await runtime.jobs.list({ limit: 10 })).items;
    expect(jobs.map((job) => job.status)).toEqual(Array(6).fill('succeeded'));
    const held = (leaf: string): string | undefined => {
      const job = jobs.find((one) => one.metadata?.['plan_leaf'] === leaf);
      return /the checkout holds (\d+) files/.exec(job?.output_tail ?? '')?.[1];
    };
    expect(plan.leaves.map((leaf) => [leaf.path, held(leaf.id)])).toEqual([
      ['./*', '16'],
      ...['a', 'b', 'c', 'd', 'e'].map((name) => [`src/${name}`, '4']),
    ]);
  });

  it('reports conflicts, scope violations and a failing leaf, merges the rest, and fails', async () => {
    // Every leaf also edits README.md, the root leaf's file: the first to merge wins it, the rest conflict.
    const runtime = await open(configOf({ PLAN_AGENT_ALSO: 'README.md', PLAN_AGENT_FAIL: 'src/c' }));
    const view = await runtime.workflows.run(runtime.workflows.parse(planWorkflow()), {}, { kind: 'plan' })
      .done;
    expect(view.status).toBe('failed');
    const plan = outputOf(view);
    const [root, a, b, c, d, e] = plan.leaves;
    expect(root!.path).toBe('./*');
    expect(c).toMatchObject({ path: 'src/c', status: 'failed' });
    expect(plan.result.failed).toEqual([expect.objectContaining({ leaf: c!.id, status: 'failed' })]);
    // The root leaf's own change (README.md, twice over) merges; every other leaf's README edit conflicts.
    expect(plan.result.applied).toEqual([root!.id]);
    expect(plan.result.conflicts.map((one) => [one.leaf, one.with, one.files])).toEqual(
      [a, b, d, e].map((leaf) => [leaf!.id, [root!.id], ['README.md']]),
    );
    expect(plan.scope_violations.map((one) => [one.leaf, one.files])).toEqual(
      [a, b, d, e].map((leaf) => [leaf!.id, ['README.md']]),
    );
    expect(view.steps['plan']?.error).toMatch(/1 of 6 leaves failed; 4 of 6 leaves conflicted/);
  });

  it('hands the conflicts to one reconciling job on the merged result, and its change goes on the branch', async () => {
    const runtime = await open(configOf({ PLAN_AGENT_ALSO: 'README.md' }));
    const definition = runtime.workflows.parse(planWorkflow('    reconcile: true\n'));
    const view = await runtime.workflows.run(definition, {}, { kind: 'plan' }).done;
    expect(view.error).toBeNull();
    expect(view.status).toBe('succeeded');
    const plan = outputOf(view);
    const [root, a, b, c, d, e] = plan.leaves;
    // The conflicts are still reported: they were handed over, not hidden.
    expect(plan.result.applied).toEqual([root!.id]);
    const conflicting = [a, b, c, d, e].map((leaf) => leaf!.id);
    expect(plan.result.conflicts.map((one) => one.leaf)).toEqual(conflicting);
    expect(plan.result.reconcile).toMatchObject({
      leaves: conflicting,
      status: 'succeeded',
      applied: true,
      error: null,
    });
    expect(plan.result.reconcile!.changed_files).toEqual(
      expect.arrayContaining(['README.md', 'src/a/f1.js', 'src/e/f3.js']),
    );
    // One commit per applied leaf, then the reconciling one; the branch's tree has every leaf's edit.
    const branch = plan.result.branch;
    expect(gitIn(repo, 'rev-list', '--count', `main..${branch}`)).toBe('2');
    expect(gitIn(repo, 'rev-parse', branch)).toBe(plan.result.head);
    expect(gitIn(repo, 'log', '-1', '--format=%B', branch)).toMatch(
      /reconcile leaves .*\n\nFlotilla-Run: run_/s,
    );
    for (const file of ['src/a/f1.js', 'src/c/f2.js', 'src/e/f3.js']) {
      expect(gitIn(repo, 'show', `${branch}:${file}`)).toContain('Use the new logger');
    }
    // Its job checked out the merged result, the whole tree.
    const job = (await runtime.jobs.list({ limit: 100 })).items.find(
      (one) => one.id === plan.result.reconcile!.job_id,
    );
    expect(job?.status).toBe('succeeded');
    expect(job?.ref).toBe(gitIn(repo, 'rev-parse', `${branch}~1`));
  });

  it('resumes a failed plan without running a finished leaf again', async () => {
    const first = await open(configOf({ PLAN_AGENT_FAIL: 'src/c' }));
    const failed = await first.workflows.run(first.workflows.parse(planWorkflow()), {}, { kind: 'plan' })
      .done;
    expect(failed.status).toBe('failed');
    expect(outputOf(failed).result.applied).toHaveLength(5);
    await first.close();
    opened.splice(0);

    // The agent is fixed; the resumed run runs the one failed leaf, then merges all six again.
    const second = await open(configOf());
    const resumed = await second.workflows.resume(failed.id).done;
    expect(resumed.status).toBe('succeeded');
    const plan = outputOf(resumed);
    expect(plan.result.applied).toHaveLength(6);
    expect((await second.jobs.list({ limit: 20 })).items).toHaveLength(7);
    // The same branch, moved by the same run.
    expect(gitIn(repo, 'rev-list', '--count', `${plan.base}..${plan.result.branch}`)).toBe('6');
  });

  it('verifies the result branch with the repository’s verify command, and fails when it does not pass', async () => {
    const passing = await open(configOf({}, ['sh', '-c', 'grep -q "plan leaf" src/a/f1.js']));
    const ok = await passing.workflows.run(passing.workflows.parse(planWorkflow()), {}, { kind: 'plan' })
      .done;
    expect(ok.status).toBe('succeeded');
    expect(outputOf(ok).verify).toMatchObject({ ok: true, exit_code: 0 });
    // The leaves were not verified one by one in their sparse checkouts (where src/a is absent).
    await passing.close();
    opened.splice(0);
    gitIn(repo, 'branch', '-D', outputOf(ok).result.branch);

    const failing = await open(configOf({}, ['sh', '-c', 'echo "3 tests failed"; exit 3']));
    const bad = await failing.workflows.run(failing.workflows.parse(planWorkflow()), {}, { kind: 'plan' })
      .done;
    expect(bad.status).toBe('failed');
    expect(outputOf(bad).verify).toMatchObject({ ok: false, exit_code: 3, tail: ['3 tests failed'] });
    expect(bad.steps['plan']?.error).toMatch(/verify failed on the result \(exit 3\)/);
  });

  it('refuses a result branch another run made, before any leaf runs', async () => {
    const runtime = await open(configOf());
    const done = await runtime.workflows.run(runtime.workflows.parse(planWorkflow()), {}, { kind: 'plan' })
      .done;
    const again = await runtime.workflows.run(runtime.workflows.parse(planWorkflow()), {}, { kind: 'plan' })
      .done;
    expect(again.status).toBe('failed');
    expect(again.error ?? again.steps['plan']?.error).toMatch(/flotilla\/plan-.*exists/);
    // Only the first run's six jobs ran.
    expect((await runtime.jobs.list({ limit: 20 })).items).toHaveLength(6);
    expect(existsSync(join(repo, '.git'))).toBe(true);
    expect(done.status).toBe('succeeded');
  });

  it('checks a number field given as an expression when it runs, naming it', async () => {
    const runtime = await open(configOf());
    const view = await runtime.workflows.run(
      runtime.workflows.parse(planWorkflow()),
      { parallel: 0 },
      { kind: 'plan' },
    ).done;
    expect(view.status).toBe('failed');
    expect(view.steps['plan']?.error).toBe('plan: max_parallel: expected an integer ≥ 1, got 0');
  });

  it('refuses a workflow file that writes the steps only a plan makes', async () => {
    const runtime = await open(configOf());
    expect(() =>
      runtime.workflows.parse(`schema_version: 1
workflow: { id: sneaky }
steps:
  - { id: leaf, type: plan-leaf, agent: plan-agent, repo: app, base: HEAD }
`),
    ).toThrow(/steps\[0\] \(leaf\)\.type: plan-leaf steps are made by plan steps: write a plan step/s);
  });
});
