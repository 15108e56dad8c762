import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool, visitPage } from '../browser/index.js';
import { SITE_PASSWORD, SITE_USER, startLoginSite, type LoginSite } from './fixtures/login-site.js';
import { login, LoginSession, type Credentials, type LoginSelectors } from './index.js';

const never = new AbortController().signal;
let site: LoginSite;
let pool: BrowserPool;

beforeAll(async () => {
  site = await startLoginSite();
  pool = await BrowserPool.launch({ contexts: 2, signal: never });
}, 60_000);
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

function credentials(path: string, password = SITE_PASSWORD): Credentials {
  return { username: SITE_USER, password, loginUrl: `${site.origin}${path}` };
}

async function failure(path: string, selectors?: LoginSelectors, password?: string): Promise<Error> {
  const error = await login({
    pool,
    credentials: credentials(path, password),
    selectors,
    signal: never,
  }).catch((caught: unknown) => caught);
  expect(error).toMatchObject({ code: 'E_LOGIN', loginUrl: `${site.origin}${path}` });
  const { message } = error as Error;
  expect(message).toContain(`${site.origin}${path}`);
  expect(message).not.toContain(SITE_PASSWORD);
  if (password !== undefined) expect(message).not.toContain(password);
  return error as Error;
}

describe('login', () => {
  it('finds the email field and the Sign in button, submits, and returns the session', async () => {
    const posts = site.loginPosts();
    const result = await login({ pool, credentials: credentials('/login'), signal: never });
    expect(site.loginPosts()).toBe(posts + 1);
    expect(result).toMatchObject({ formUrl: `${site.origin}/login`, landedUrl: `${site.origin}/` });
    expect(result.storageState.cookies.map(({ name }) => name)).toEqual(['sid']);
    // The context it used is closed: the pool's contexts are its only ones.
    expect(pool.stats.contexts).toBe(2);
  });

  it.each([
    ['the nearest text field before the password, a button with no type', '/variants/nearest'],
    ['no form: fields and a role=button a script listens to', '/variants/script'],
    ['a form with no submit control', '/variants/no-button'],
  ])('logs in through %s', async (_what, path) => {
    const result = await login({ pool, credentials: credentials(path), signal: never });
    expect(result.landedUrl).toBe(`${site.origin}/`);
    expect(result.storageState.cookies.map(({ name }) => name)).toEqual(['sid']);
  });

  it('takes selectors for a form it cannot read, and says which one matches nothing', async () => {
    expect((await failure('/variants/custom')).message).toMatch(
      /found no user name field.*--username-selector/,
    );
    const selectors = {
      usernameSelector: '[data-test=user]',
      passwordSelector: '[data-test=pass]',
      submitSelector: 'text=Go on',
    };
    const result = await login({
      pool,
      credentials: credentials('/variants/custom'),
      selectors,
      signal: never,
    });
    expect(result.landedUrl).toBe(`${site.origin}/`);
    const wrong = { ...selectors, submitSelector: '#nothing' };
    expect((await failure('/variants/custom', wrong)).message).toMatch(/--submit-selector matches nothing/);
  });

  it('fails clearly, naming the login URL and never the password', async () => {
    expect((await failure('/login', undefined, 'Wr0ng-s3cret')).message).toMatch(
      /still at the login page after submitting the form \(wrong user or password\?\)/,
    );
    expect((await failure('/variants/none')).message).toMatch(/found no password field.*--password-selector/);
    expect((await failure('/nowhere')).message).toMatch(/the login page answered 404/);
  });
});

describe('LoginSession', () => {
  it('logs in again once for all the workers that saw the session end, and at most maxRelogins times', async () => {
    const session = new LoginSession({ pool, credentials: credentials('/login'), maxRelogins: 1 });
    expect(session.isLoginPage(`${site.origin}/login?next=%2Fp%2F1`)).toBe(true);
    expect(session.isLoginPage(`${site.origin}/p/1`)).toBe(false);
    const posts = site.loginPosts();
    await Promise.all([session.login(never), session.login(never)]);
    expect(site.loginPosts()).toBe(posts + 1);
    expect(session.logins).toBe(1);

    // Every context of the pool has the session.
    const lease = await pool.acquire(never);
    try {
      const visit = await visitPage(lease.context, `${site.origin}/p/1`, {
        timeoutMs: 10_000,
        signal: never,
      });
      expect(visit).toMatchObject({ status: 200, finalUrl: `${site.origin}/p/1` });
    } finally {
      pool.release(lease);
    }

    // Four workers saw the first session end at once: one login.
    await Promise.all([1, 2, 3, 4].map(() => session.relogin(1, never)));
    expect(site.loginPosts()).toBe(posts + 2);
    expect(session).toMatchObject({ logins: 2, relogins: 1 });
    // One that saw it end before that login finished: nothing to do.
    await session.relogin(1, never);
    expect(site.loginPosts()).toBe(posts + 2);
    // The second session ending too is one time too many.
    const refused = await session.relogin(2, never).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'E_LOGIN' });
    expect((refused as Error).message).toMatch(
      /ended again after 1 fresh login: not logging in once more \(at most 1 per crawl\)/,
    );
    expect(site.loginPosts()).toBe(posts + 2);
  });
});
