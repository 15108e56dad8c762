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
  '`flotilla qa --json` crawls a site, reports a 404 as a high finding and exits 1; --out writes the report',
  async () => {
    const result = await runCli(
      [
        'qa',
        `${base}/`,
        '--workers',
        '2',
        '--rate-limit',
        '0',
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
      findings_by_severity: { high: 1 },
    });
    expect(report.findings.map(({ check, rule, url }) => [check, rule, url])).toEqual([
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
