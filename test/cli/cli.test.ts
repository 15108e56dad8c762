import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Pids of this test's demo agents still alive, zombies not counted: the agents carry their script in
 * argv and work in checkouts under the CLI's TMPDIR, which the test points into its own folder.
 */
function liveAgents(): string[] {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  return pids.filter((pid) => {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return cmdline.includes('demo-agent.mjs') && cwd.startsWith(dir) && state !== 'Z';
    } catch {
      return false; // exited while we looked
    }
  });
}

describe('flotilla CLI', () => {
  it('prints help with the global flags and the exit codes', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const text of ['--config <file>', '--home <dir>', '--json', 'demo', 'Exit codes'])
      expect(stdout).toContain(text);
  });

  it('prints the package version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it('exits 2 on an unknown flag or a bad flag value, naming the flag', async () => {
    const unknown = await runCli(['demo', '--jbos', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--jbos'");
    const bad = await runCli(['demo', '--concurrency', 'zero']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--concurrency expects an integer ≥ 1, got "zero"');
  });

  it('exits 2 on a bad config file, naming the file, the line and the key', async () => {
    const config = join(dir, 'flotilla.config.yaml');
    writeFileSync(config, 'server:\n  concurrency: ten\n');
    const { code, stderr } = await runCli(['--config', config, 'demo', '--json'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(/flotilla\.config\.yaml:2:\d+: server\.concurrency/);
  });

  it('runs the demo: every job succeeds in its own checkout under the bound, then a plan, then the crawl, all of it stored', async () => {
    const home = join(dir, 'home');
    const { code, stdout, stderr } = await runCli(
      ['demo', '--jobs', '6', '--concurrency', '3', '--agent-speed', '0', '--json', '--home', home],
      { cwd: dir },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      peak: number;
      jobs: { id: string; status: string; changedFiles: string[] }[];
      plan: {
        status: string;
        output: {
          leaves: { path: string; status: string; changed_files: string[] }[];
          stats: { leaves: number; peak_concurrency: number; max_parallel: number };
          result: { branch: string; applied: string[]; conflicts: unknown[]; failed: unknown[] };
          scope_violations: unknown[];
        };
      };
      crawl: {
        runId: string;
        url: string;
        report: {
          summary: { pages_tested: number; findings_by_severity: Record<string, number> };
          not_tested: { url: string; reason: string }[];
          findings: { rule: string; url: string }[];
        };
      };
    };
    // The crawl of the demo's own site with every check: its nine pages and two planted faults, each
    // tested once, and the links to the faults broken on the pages that have them.
    const { report } = result.crawl;
    expect(report.summary.pages_tested).toBe(11);
    expect(report.summary.findings_by_severity).toMatchObject({ critical: 1, high: 3, medium: 0, low: 0 });
    expect(
      report.findings.map(({ rule, url }) => [rule, url.slice(result.crawl.url.length - 1)]).sort(),
    ).toEqual([
      ['4xx', '/blog/draft'],
      ['5xx', '/docs/api/v1'],
      ['broken-internal', '/blog'],
      ['broken-internal', '/docs/api'],
    ]);
    expect(report.not_tested.map(({ reason }) => reason).sort()).toEqual([
      'destructive',
      'non-http-scheme',
      'out-of-scope',
    ]);
    expect(result.jobs.map((job) => job.status)).toEqual(Array(6).fill('succeeded'));
    expect(result.peak).toBeLessThanOrEqual(3);
    // The plan over the demo's repository: a leaf per folder, each a job under the same bound, all merged.
    const plan = result.plan.output;
    expect(result.plan.status).toBe('succeeded');
    expect(plan.leaves.map((leaf) => [leaf.path, leaf.status])).toEqual([
      ['./*', 'succeeded'],
      ['src', 'succeeded'],
      ['test', 'succeeded'],
    ]);
    expect(plan.result.applied).toHaveLength(3);
    expect(plan.result).toMatchObject({ conflicts: [], failed: [] });
    expect(plan.result.branch).toMatch(/^flotilla\/plan-[0-9a-f]{10}$/);
    expect(plan.scope_violations).toEqual([]);
    expect(plan.stats.max_parallel).toBe(3);
    expect(plan.stats.peak_concurrency).toBeLessThanOrEqual(3);
    for (const job of result.jobs) expect(job.changedFiles).toEqual(expect.arrayContaining(['CHANGELOG.md']));
    // Each checkout saw only its own agent's edit: one note file per job.
    for (const job of result.jobs)
      expect(job.changedFiles.filter((file) => file.startsWith('notes/'))).toHaveLength(1);

    const db = new Database(join(home, 'flotilla.db'), { readonly: true });
    try {
      const jobs = db.prepare('SELECT id, status FROM jobs ORDER BY id').all() as {
        id: string;
        status: string;
      }[];
      // The batch's 6 and the plan's 3.
      expect(jobs.map((job) => job.status)).toEqual(Array(9).fill('succeeded'));
      const logLines = db.prepare("SELECT count(*) AS n FROM events WHERE type = 'job.log'").get() as {
        n: number;
      };
      expect(logLines.n).toBeGreaterThanOrEqual(6 * 6);
      const pages = db
        .prepare("SELECT count(*) AS n FROM qa_urls WHERE run_id = ? AND state = 'tested'")
        .get(result.crawl.runId) as { n: number };
      expect(pages.n).toBe(11);
    } finally {
      db.close();
    }
  }, 90_000); // the agents, then Chromium's launch and the crawl, on a busy machine

  it('uses FLOTILLA_HOME when --home is not given, and prints a human summary without --json', async () => {
    const home = join(dir, 'env-home');
    const { code, stdout } = await runCli(['demo', '--jobs', '2', '--agent-speed', '0', '--no-crawl'], {
      cwd: dir,
      env: { FLOTILLA_HOME: home },
    });
    expect(code).toBe(0);
    expect(stdout).toContain('2/2 succeeded');
    expect(stdout).toContain(home);
    expect(readFileSync(join(home, 'flotilla.db')).length).toBeGreaterThan(0);
  });

  it('on SIGINT stops the running agents, leaves no process behind and exits 130', async () => {
    const cli = startCli(
      ['demo', '--jobs', '4', '--concurrency', '2', '--agent-speed', '50', '--home', join(dir, 'h')],
      { cwd: dir, env: { TMPDIR: dir } },
    );
    // Wait until agents run: a job is announced as started just before its agent is spawned.
    await cli.waitForOutput('started');
    while (liveAgents().length === 0) {
      expect(cli.child.exitCode).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    cli.child.kill('SIGINT');
    const { code, stderr } = await cli.done;
    expect(code).toBe(130);
    expect(stderr).toContain('Interrupted');
    expect(liveAgents()).toEqual([]);
  });
});
