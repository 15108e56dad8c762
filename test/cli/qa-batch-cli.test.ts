import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startChainSite, type QaSite } from '../fixtures/qa-site.js';
import { runCli } from '../helpers/cli.js';

const TIMEOUT_MS = 120_000;

let dir = '';
let site: QaSite;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-qa-batch-cli-'));
  site = await startChainSite(3);
});
afterEach(async () => {
  await site.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  run: { id: string; config: { max_pages: number; fail_on: string } };
  summary: { status: string; pages_tested: number };
}

it(
  '`flotilla qa --batch-file` crawls every run, prints { runs } in file order and exits with the worst run',
  async () => {
    const file = join(dir, 'runs.json');
    writeFileSync(
      file,
      JSON.stringify([
        { urls: [`${site.origin}/`], max_pages: 2 },
        // The site has no /p/9: a 404, a high finding.
        { urls: [`${site.origin}/p/9`], max_pages: 2, fail_on: 'critical' },
        { urls: [`${site.origin}/p/9`], max_pages: 2 },
      ]),
    );
    const out = join(dir, 'out');
    const result = await runCli(
      [
        'qa',
        '--batch-file',
        file,
        '--pool-size',
        '2',
        '--rate-limit',
        '0',
        '--ignore-robots',
        '--checks',
        'http-status',
        '--json',
        '--out',
        out,
        '--home',
        join(dir, 'home'),
      ],
      { cwd: dir },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const { runs } = JSON.parse(result.stdout) as { runs: Report[] };
    expect(runs.map((run) => [run.run.config.max_pages, run.run.config.fail_on, run.summary.status])).toEqual(
      [
        [2, 'high', 'passed'],
        [2, 'critical', 'passed'],
        [2, 'high', 'failed'],
      ],
    );
    for (const run of runs) {
      expect(JSON.parse(readFileSync(join(out, run.run.id, 'report.json'), 'utf8'))).toEqual(run);
    }
  },
  TIMEOUT_MS,
);

it(
  'a bad batch file is a usage error naming the entry and the field; nothing is crawled',
  async () => {
    const file = join(dir, 'runs.json');
    writeFileSync(file, JSON.stringify([{ urls: [`${site.origin}/`] }, { urls: ['file:///etc/passwd'] }]));
    const bad = await runCli(['qa', '--batch-file', file, '--home', join(dir, 'home')], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}: [1].urls.0: expected an http or https URL`);
    expect(site.hits).toEqual([]);
    expect(existsSync(join(dir, 'home', 'flotilla.db'))).toBe(false);

    const pool = await runCli(['qa', '--batch-file', file, '--pool-size', '9', '--home', join(dir, 'home')], {
      cwd: dir,
    });
    expect(pool.code).toBe(2);
    expect(pool.stderr).toContain('--pool-size: expected an integer from 1 to 8, got "9"');
    const mixed = await runCli(['qa', `${site.origin}/`, '--batch-file', file], { cwd: dir });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--batch-file: the runs’ URLs are in the file; give no URL');
  },
  TIMEOUT_MS,
);
