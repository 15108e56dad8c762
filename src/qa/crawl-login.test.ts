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
} from './auth/fixtures/login-site.js';
import { login, LoginSession, parseCookie, parseHeaders } from './auth/index.js';
import { BrowserPool } from './browser/index.js';
import type { CrawlOptions } from './crawl-options.js';
import { crawl } from './crawl.js';
import type { QaReport } from './report.js';

const never = new AbortController().signal;
const dir = mkdtempSync(join(tmpdir(), 'flotilla-crawl-login-'));
let pool: BrowserPool;
let site: LoginSite;

beforeAll(async () => {
  // What --header and --cookie give: every context sends them, the login's too.
  pool = await BrowserPool.launch({
    contexts: 4,
    headers: parseHeaders(['X-QA-Test: hello']),
    cookies: parseCookie('extra=cookie', ['http://127.0.0.1/']),
    signal: never,
  });
}, 60_000);
afterEach(async () => {
  await site?.close();
});
afterAll(async () => {
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

function options(extra: Partial<CrawlOptions> = {}): CrawlOptions {
  // The login site's pages are bare: the status and the links are what these tests look at.
  const checks = ['http-status', 'broken-link'] as const;
  return {
    urls: [`${site.origin}/`],
    workers: 4,
    maxPages: 50,
    maxDepth: 3,
    rateLimit: 0,
    pool,
    checks,
    ...extra,
  };
}

function session(): LoginSession {
  const credentials = { username: SITE_USER, password: SITE_PASSWORD, loginUrl: `${site.origin}/login` };
  return new LoginSession({ pool, credentials });
}

/** Every page of the site was tested, with a 200 at its own URL. */
function expectEveryPage(report: QaReport): void {
  const tested = report.pages.map(({ url, status, final_url }) => [
    url.slice(site.origin.length),
    status,
    final_url,
  ]);
  expect(tested.sort()).toEqual(SITE_PAGES.map((path) => [path, 200, undefined]).sort());
  expect(report.summary.status).toBe('passed');
}

describe('crawl with a login', () => {
  it('logs in once for 4 workers: one POST /login, every page tested, the login page not', async () => {
    site = await startLoginSite();
    const login = session();
    await login.login(never);
    // The browser's requests only: broken-link's own requests carry no session, header or cookie.
    const report = await crawl(options({ login, checks: ['http-status'] }));
    expect(site.loginPosts()).toBe(1);
    expectEveryPage(report);
    expect(report.not_tested).toEqual(
      expect.arrayContaining([
        { url: `${site.origin}/login`, reason: 'login page' },
        { url: `${site.origin}/logout`, reason: 'destructive' },
      ]),
    );
    // Every page was served to the one session; the header and cookie of the pool came with every request.
    const pages = site.requests.filter(({ path }) => SITE_PAGES.includes(path));
    expect(new Set(pages.map((request) => request.session))).toEqual(new Set(['s1']));
    expect(site.requests.filter(({ method }) => method === 'POST')).toHaveLength(1);
    // robots.txt is fetched by the crawler itself, not the browser.
    for (const request of site.requests.filter(({ path }) => path !== '/robots.txt')) {
      expect(request.header).toBe('hello');
      expect(request.cookie).toContain('extra=cookie');
    }
  }, 60_000);

  it('logs in again once for all workers when the session ends, and finishes the crawl', async () => {
    // The first session serves 4 pages (the login's landing page among them), then sends to /login.
    site = await startLoginSite({ firstSessionPages: 4 });
    const login = session();
    await login.login(never);
    const report = await crawl(options({ login }));
    expect(site.loginPosts()).toBe(2);
    expect(login).toMatchObject({ logins: 2, relogins: 1 });
    expectEveryPage(report);
    // Some page was sent back to the login page by the first session, and visited again with the second.
    expect(site.requests.some(({ path }) => path.startsWith('/login?next='))).toBe(true);
  }, 60_000);

  it('does not test a page that sends to the login page also after a fresh login', async () => {
    site = await startLoginSite();
    const login = session();
    await login.login(never);
    const report = await crawl(options({ urls: [`${site.origin}/`, `${site.origin}/admin`], login }));
    expectEveryPage(report);
    expect(report.not_tested).toContainEqual({
      url: `${site.origin}/admin`,
      reason: 'redirected to the login page, also after logging in again',
    });
    // One login more, to be sure the session had not just ended: then the page is given up.
    expect(site.loginPosts()).toBe(2);
    expect(login.relogins).toBe(1);
  }, 60_000);

  it('reuses a saved storage state: no POST /login at all', async () => {
    site = await startLoginSite();
    const credentials = { username: SITE_USER, password: SITE_PASSWORD, loginUrl: `${site.origin}/login` };
    const { storageState } = await login({ pool, credentials, signal: never });
    const file = join(dir, 'state.json');
    writeFileSync(file, JSON.stringify(storageState));
    const posts = site.loginPosts();

    const saved = await BrowserPool.launch({ contexts: 2, storageState: file, signal: never });
    try {
      const report = await crawl(options({ pool: saved, workers: 2 }));
      expect(site.loginPosts()).toBe(posts);
      const statuses = report.pages.map(({ url, status }) => [url.slice(site.origin.length), status]);
      expect(statuses).toEqual(expect.arrayContaining(SITE_PAGES.map((path) => [path, 200])));
      expect(report.pages.every(({ final_url }) => final_url === undefined)).toBe(true);
    } finally {
      await saved.close();
    }
  }, 60_000);
});
