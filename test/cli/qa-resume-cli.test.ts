import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startChainSite, type QaSite } from '../fixtures/qa-site.js';
import { runCli, startCli } from '../helpers/cli.js';
import { alive, childPids } from '../helpers/processes.js';

/** Launching Chromium twice through the spawned CLI takes seconds on this machine. */
const TIMEOUT_MS = 120_000;

let site: QaSite;
let dir = '';
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-qa-resume-'));
  site = await startChainSite(12);
});
afterEach(async () => {
  await site.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  run: { id: string };
  summary: { status: string; pages_tested: number };
  pages: { url: string }[];
}

const crawlArgs = (): string[] => [
  'qa',
  `${site.origin}/`,
  '--workers',
  '1',
  '--max-pages',
  '8',
  '--max-depth',
  '20',
  '--rate-limit',
  '0',
  '--ignore-robots',
  // The page requests are what the tests count: no link checks beside them.
  '--checks',
  'http-status',
  '--home',
  join(dir, 'home'),
];

const paths = (report: Report): string[] => report.pages.map(({ url }) => url.slice(site.origin.length));

/** The run id the CLI announces when it starts crawling. */
async function runIdOf(cli: ReturnType<typeof startCli>): Promise<string> {
  await cli.waitForOutput('crawling run ');
  return /crawling run (\S+)/.exec(cli.output())![1]!;
}

it(
  'Ctrl-C writes the partial report and exits 130; `--resume` finishes the crawl without testing a page twice',
  async () => {
    site.hold('/p/4');
    const out = join(dir, 'out');
    const cli = startCli([...crawlArgs(), '--out', out], { cwd: dir });
    const id = await runIdOf(cli);
    await site.requested('/p/4');
    cli.child.kill('SIGINT');
    const stopped = await cli.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toContain(`flotilla qa --resume ${id}`);
    const partial = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(partial.summary).toMatchObject({ status: 'interrupted', pages_tested: 4 });
    expect(paths(partial)).toEqual(['/', '/p/1', '/p/2', '/p/3']);

    site.release('/p/4');
    const before = site.hits.length;
    const resumed = await runCli(['qa', '--resume', id, '--json', '--home', join(dir, 'home')], { cwd: dir });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout) as Report;
    expect(report.run.id).toBe(id);
    expect(report.summary).toMatchObject({ status: 'passed', pages_tested: 8 });
    expect(paths(report)).toEqual(['/', '/p/1', '/p/2', '/p/3', '/p/4', '/p/5', '/p/6', '/p/7']);
    expect(site.hits.slice(before)).toEqual(['/p/4', '/p/5', '/p/6', '/p/7']);

    const again = await runCli(['qa', '--resume', id, '--home', join(dir, 'home')], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('only a stopped run resumes');
  },
  TIMEOUT_MS,
);

it(
  'after kill -9, `--resume` goes on from the last page stored: only the page in flight is asked for again',
  async () => {
    site.hold('/p/6');
    const cli = startCli(crawlArgs(), { cwd: dir });
    const id = await runIdOf(cli);
    // With one worker, /p/6 is claimed only after /p/5's page and links were committed.
    await site.requested('/p/6');
    const browser = childPids(cli.child.pid!);
    expect(browser.length).toBeGreaterThan(0);
    cli.child.kill('SIGKILL');
    expect((await cli.done).code).toBe(null);
    // The browser notices its pipe to the dead CLI close and exits on its own: nothing is left behind.
    await expect.poll(() => browser.filter(alive), { timeout: 15_000, interval: 100 }).toEqual([]);

    site.release('/p/6');
    const before = site.hits.length;
    const resumed = await runCli(['qa', '--resume', id, '--json', '--home', join(dir, 'home')], { cwd: dir });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout) as Report;
    expect(paths(report)).toEqual(['/', '/p/1', '/p/2', '/p/3', '/p/4', '/p/5', '/p/6', '/p/7']);
    expect(site.hits.slice(before)).toEqual(['/p/6', '/p/7']);
  },
  TIMEOUT_MS,
);

it(
  '`--resume` refuses URLs and crawl settings, and names an unknown run',
  async () => {
    const home = join(dir, 'home');
    const withUrl = await runCli(['qa', '--resume', 'qa_x', `${site.origin}/`, '--home', home], { cwd: dir });
    expect(withUrl.code).toBe(2);
    expect(withUrl.stderr).toContain('--resume: a resumed crawl keeps its own URLs');
    const withFlag = await runCli(['qa', '--resume', 'qa_x', '--workers', '2', '--home', home], { cwd: dir });
    expect(withFlag.code).toBe(2);
    expect(withFlag.stderr).toContain('drop --workers');
    const unknown = await runCli(['qa', '--resume', 'qa_x', '--home', home], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No QA run qa_x');
    const none = await runCli(['qa', '--home', home], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give at least one start URL');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  },
  TIMEOUT_MS,
);
