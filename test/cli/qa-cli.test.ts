import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** Launching Chromium and crawling through the spawned CLI takes seconds on this machine. */
const TIMEOUT_MS = 120_000;

let server: Server;
let base = '';
let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-qa-cli-'));
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/')
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<title>Home</title><a href="/gone">gone</a> <a href="/about">about</a>');
    else if (path === '/about')
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>About</title><a href="/">home</a>');
    else res.writeHead(404, { 'content-type': 'text/html' }).end('<title>Not found</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

it(
  '`flotilla qa --json` crawls a site, reports a 404 and the link to it as high findings and exits 1; --out writes the report',
  async () => {
    const result = await runCli(
      [
        'qa',
        `${base}/`,
        '--workers',
        '2',
        '--rate-limit',
        '0',
        '--checks',
        'http-status,broken-link',
        '--json',
        '--out',
        join(dir, 'out'),
        '--home',
        join(dir, 'home'),
      ],
      { cwd: dir },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      summary: { pages_tested: number; status: string; findings_by_severity: Record<string, number> };
      findings: { check: string; rule: string; url: string }[];
    };
    expect(report.summary).toMatchObject({
      pages_tested: 3,
      status: 'failed',
      findings_by_severity: { high: 2 },
    });
    expect(report.findings.map(({ check, rule, url }) => [check, rule, url])).toEqual([
      ['broken-link', 'broken-internal', `${base}/`],
      ['http-status', '4xx', `${base}/gone`],
    ]);
    expect(existsSync(join(dir, 'out', 'report.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'))).toEqual(report);

    const bad = await runCli(['qa', `${base}/`, '--workers', '17', '--home', join(dir, 'home')], {
      cwd: dir,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--workers: expected an integer from 1 to 16, got 17');

    const missing = await runCli(['qa', `${base}/`, '--home', join(dir, 'home')], {
      cwd: dir,
      env: { FLOTILLA_CHROMIUM: join(dir, 'no-such-chromium') },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/FLOTILLA_CHROMIUM/);
  },
  TIMEOUT_MS,
);

it(
  '`flotilla qa` refuses bad check flags naming the flag, and changes nothing',
  async () => {
    const home = join(dir, 'home-flags');
    const cases: [string[], string][] = [
      [['--checks', 'a11y'], '--checks: unknown check "a11y"; the checks are http-status, console-error'],
      [['--skip', 'http-status,nope'], '--skip: unknown check "nope"'],
      [['--checks', 'forms', '--skip', 'forms'], '--checks: no check is left to run'],
      [['--checks', ','], '--checks: expected check ids separated by commas'],
      [
        ['--budget', 'fcp=100'],
        '--budget: expected NAME=VALUE with NAME one of load, lcp, cls, got "fcp=100"',
      ],
      [['--budget', 'lcp=fast'], '--budget: lcp expects milliseconds > 0, got "fast"'],
      [['--ignore-console', '(unclosed'], '--ignore-console: Invalid regular expression'],
      [['--screenshots', 'loud'], "option '--screenshots <severity>' argument 'loud' is invalid"],
    ];
    for (const [flags, message] of cases) {
      const result = await runCli(['qa', `${base}/`, ...flags, '--home', home], { cwd: dir });
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
    const resumed = await runCli(['qa', '--resume', 'qa_x', '--no-external-links', '--home', home], {
      cwd: dir,
    });
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain(
      '--resume: a resumed crawl keeps its own settings; drop --no-external-links',
    );
    expect(existsSync(home)).toBe(false);
    expect(existsSync(join(dir, 'flotilla-qa'))).toBe(false);
  },
  TIMEOUT_MS,
);

it(
  '`flotilla qa` writes its report to ./flotilla-qa/<run-id>/ without --out, with the checks it ran',
  async () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const result = await runCli(
      [
        'qa',
        `${base}/`,
        '--checks',
        'http-status,seo-basics',
        '--skip',
        'seo-basics',
        '--rate-limit',
        '0',
        '--json',
      ],
      { cwd, env: { FLOTILLA_HOME: join(cwd, 'home') } },
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { run: { id: string; config: { checks: string[] } } };
    expect(report.run.config.checks).toEqual(['http-status']);
    const file = join(cwd, 'flotilla-qa', report.run.id, 'report.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(report);
  },
  TIMEOUT_MS,
);

it(
  '`flotilla qa --format` writes every format; `--baseline --new-only` passes when nothing is new',
  async () => {
    const out = join(dir, 'formats');
    const args = [
      'qa',
      `${base}/`,
      '--checks',
      'http-status,broken-link',
      '--rate-limit',
      '0',
      '--home',
      join(dir, 'home-formats'),
    ];
    const first = await runCli([...args, '--format', 'json,html,md,junit,sarif', '--out', out], { cwd: dir });
    expect(first.code).toBe(1);
    for (const file of ['report.json', 'report.html', 'report.md', 'junit.xml', 'report.sarif']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(first.stdout).toContain(join(out, 'report.html'));

    const again = await runCli(
      [...args, '--baseline', join(out, 'report.json'), '--new-only', '--json', '--out', join(dir, 'again')],
      { cwd: dir },
    );
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as {
      summary: { status: string };
      findings: { baseline: string }[];
      baseline: { new: number; persisting: number; fixed: unknown[] };
    };
    expect(report.summary.status).toBe('passed');
    expect(report.findings.map((one) => one.baseline)).toEqual(['persisting', 'persisting']);
    expect(report.baseline).toMatchObject({ new: 0, persisting: 2, fixed: [] });

    const lonely = await runCli([...args, '--new-only'], { cwd: dir });
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain('--new-only: only with --baseline REPORT.json');
    const badFormat = await runCli([...args, '--format', 'json,pdf'], { cwd: dir });
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--format: unknown format "pdf"');
  },
  TIMEOUT_MS,
);
