import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SITE_PAGES,
  SITE_PASSWORD,
  SITE_USER,
  startLoginSite,
  type LoginSite,
} from '../../src/qa/auth/fixtures/login-site.js';
import { runCli } from '../helpers/cli.js';

/** Launching Chromium and crawling through the spawned CLI takes seconds on this machine. */
const TIMEOUT_MS = 120_000;

let dir = '';
let site: LoginSite;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-qa-auth-cli-'));
});
afterEach(async () => {
  await site?.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function qa(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  // The site's requests are what the tests count: no link checks beside the pages.
  const common = [
    '--workers',
    '4',
    '--rate-limit',
    '0',
    '--checks',
    'http-status',
    '--home',
    join(dir, 'home'),
  ];
  return runCli(['qa', `${site.origin}/`, ...common, ...args], { cwd: dir, env });
}

interface Report {
  summary: { pages_tested: number; status: string };
  pages: { url: string; status: number; final_url?: string }[];
  not_tested: { url: string; reason: string }[];
}

function expectEveryPage(stdout: string): void {
  const report = JSON.parse(stdout) as Report;
  expect(report.summary.status).toBe('passed');
  const tested = report.pages.map(({ url, status, final_url }) => [
    url.slice(site.origin.length),
    status,
    final_url,
  ]);
  expect(tested.sort()).toEqual(SITE_PAGES.map((path) => [path, 200, undefined]).sort());
  expect(report.not_tested).toContainEqual({ url: `${site.origin}/login`, reason: 'login page' });
}

describe('flotilla qa --auth', () => {
  it(
    'logs in once for 4 workers and tests every page; --header and --cookie reach the site',
    async () => {
      site = await startLoginSite();
      // The password holds ":", "@" and "%": percent-encoded, as a URL's would be.
      const auth = `${SITE_USER}:${encodeURIComponent(SITE_PASSWORD)}@${site.origin}/login`;
      const result = await qa([
        '--auth',
        auth,
        '--header',
        'X-QA-Test: hello',
        '--cookie',
        'extra=1',
        '--json',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expectEveryPage(result.stdout);
      expect(site.loginPosts()).toBe(1);
      const browser = site.requests.filter(({ path }) => path !== '/robots.txt');
      expect(browser.every(({ header, cookie }) => header === 'hello' && cookie.includes('extra=1'))).toBe(
        true,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'exits 2 on a wrong password (given through FLOTILLA_QA_PASSWORD), naming the login URL, never the password',
    async () => {
      site = await startLoginSite();
      const result = await qa(['--auth', `${SITE_USER}@${site.origin}/login`], {
        FLOTILLA_QA_PASSWORD: 'Wr0ng-s3cret',
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        `flotilla: Logging in at ${site.origin}/login failed: the browser is still at the login page after submitting the form (wrong user or password?)`,
      ]);
      expect(result.stdout + result.stderr).not.toContain('s3cret');
      expect(site.loginPosts()).toBe(1);
    },
    TIMEOUT_MS,
  );

  it(
    'reuses a session saved in --storage-state: no login at all',
    async () => {
      site = await startLoginSite();
      // A session of the site, logged in without a browser, saved as Playwright saves one.
      const answer = await fetch(`${site.origin}/login`, {
        method: 'POST',
        body: new URLSearchParams({ email: SITE_USER, password: SITE_PASSWORD }),
        redirect: 'manual',
      });
      const sid = /sid=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1];
      expect(sid).toBe('s1');
      const cookie = { name: 'sid', value: sid, domain: '127.0.0.1', path: '/', expires: -1 };
      const state = { cookies: [{ ...cookie, httpOnly: true, secure: false, sameSite: 'Lax' }], origins: [] };
      writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
      const result = await qa(['--storage-state', join(dir, 'state.json'), '--json']);
      expect(result.stderr).toBe('');
      const report = JSON.parse(result.stdout) as Report;
      const statuses = report.pages.map(({ url, status }) => [url.slice(site.origin.length), status]);
      expect(statuses).toEqual(expect.arrayContaining(SITE_PAGES.map((path) => [path, 200])));
      expect(site.loginPosts()).toBe(1); // the one above
    },
    TIMEOUT_MS,
  );

  it(
    'refuses bad access flags with exit 2 and one line naming the flag, before launching anything',
    async () => {
      site = await startLoginSite();
      writeFileSync(join(dir, 'broken.json'), '{"cookies": s3cret}');
      const auth = `${SITE_USER}:s3cret@${site.origin}/login`;
      const cases: [string[], string][] = [
        [['--header', 'X-Token: s3cret\r\nX-Evil: 1'], '--header X-Token: the value holds a line break'],
        [['--header', 'Bearer s3cret'], "--header: expected 'Name: value'"],
        [['--cookie', 'sid=s3cret; Max-Age=1'], '--cookie sid: unknown attribute "Max-Age"'],
        [['--auth', 's3cret@ftp://x'], '--auth: expected user:pass@LOGIN_URL'],
        [['--auth', auth, '--storage-state', join(dir, 'broken.json')], '--auth and --storage-state cannot'],
        [
          ['--storage-state', join(dir, 'broken.json')],
          `--storage-state: The storage state ${join(dir, 'broken.json')} is not JSON`,
        ],
        [['--submit-selector', 'button'], '--submit-selector needs --auth'],
      ];
      for (const [args, says] of cases) {
        // No Chromium where it would be looked for: the flags are refused before it is.
        const result = await qa(args, { FLOTILLA_CHROMIUM: join(dir, 'no-such-chromium') });
        expect(result.code).toBe(2);
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(says);
        expect(result.stderr).not.toContain('s3cret');
      }
      expect(site.requests).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
