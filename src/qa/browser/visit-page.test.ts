import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import { startSite, type TestSite } from './fixtures/site.js';
import { BrowserPool, visitPage, type ContextLease, type PageVisit } from './index.js';
import { GC_EVERY_VISITS } from './page-reuse.js';

const never = new AbortController().signal;
const timeoutMs = 10_000;
let site: TestSite;
let pool: BrowserPool;
let lease: ContextLease;

beforeAll(async () => {
  site = await startSite();
  pool = await BrowserPool.launch({ contexts: 2, signal: never });
  lease = await pool.acquire(never);
});
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

function visit(path: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PageVisit> {
  return visitPage(lease.context, `${site.origin}${path}`, { timeoutMs, signal: never, ...options });
}

describe('visitPage', () => {
  it('reads the status, type, title, load time, canonical link and resolved links of a page', async () => {
    const page = await visit('/');
    expect(page).toMatchObject({
      requestedUrl: `${site.origin}/`,
      finalUrl: `${site.origin}/`,
      status: 200,
      redirects: [],
      contentType: 'text/html',
      title: 'Home page',
      canonical: `${site.origin}/canonical-home`,
    });
    expect(page.error).toBeUndefined();
    expect(page.loadMs).toBeGreaterThan(0);
    expect(page.loadMs).toBeLessThan(timeoutMs);
    expect(page.links).toEqual([
      { href: `${site.origin}/about`, text: 'About us', rel: '', attribute: '/about' },
      {
        href: `${site.origin}/contact?x=1#top`,
        text: 'Contact',
        rel: 'nofollow noopener',
        attribute: 'contact?x=1#top',
      },
      {
        href: 'https://example.com/elsewhere',
        text: 'Elsewhere',
        rel: '',
        attribute: 'https://example.com/elsewhere',
      },
      {
        href: `${site.origin}/posts/1`,
        text: 'Delete',
        rel: 'nofollow',
        dataMethod: 'delete',
        attribute: '/posts/1',
      },
      {
        href: `${site.origin}/long`,
        text: expect.stringMatching(/^word word/) as string,
        rel: '',
        attribute: '/long',
      },
      { href: `${site.origin}/image`, text: 'An image link', rel: '', attribute: '/image' },
      { href: `${site.origin}/area`, text: 'Area link', rel: '', attribute: '/area', area: true },
    ]);
    expect(page.links[4]?.text).toHaveLength(200);
  });

  it('resolves links and the canonical link against <base href>', async () => {
    const page = await visit('/base');
    expect(page.canonical).toBe(`${site.origin}/docs/v2/canonical`);
    expect(page.links.map((link) => link.href)).toEqual([
      `${site.origin}/docs/v2/page`,
      `${site.origin}/root`,
      `${site.origin}/docs/up`,
    ]);
  });

  it('gives a 404 page and a 500 page their status, with no error: the page answered', async () => {
    const missing = await visit('/not-found');
    expect(missing).toMatchObject({ status: 404, title: 'Not found', links: [{ href: `${site.origin}/` }] });
    expect(missing.error).toBeUndefined();
    const broken = await visit('/broken');
    expect(broken).toMatchObject({ status: 500, title: 'Server error' });
    expect(broken.error).toBeUndefined();
  });

  it('records each redirect with its status, and resolves links against the final URL', async () => {
    const page = await visit('/redirect-1');
    expect(page).toMatchObject({
      requestedUrl: `${site.origin}/redirect-1`,
      finalUrl: `${site.origin}/final`,
      status: 200,
      title: 'Final',
      redirects: [
        { url: `${site.origin}/redirect-1`, status: 301 },
        { url: `${site.origin}/redirect-2`, status: 302 },
      ],
      links: [{ href: `${site.origin}/next`, text: 'next' }],
    });
  });

  it('reads no links from a document that is not HTML (a PDF)', async () => {
    const page = await visit('/pdf');
    expect(page).toMatchObject({ status: 200, contentType: 'application/pdf', links: [], title: null });
    expect(page.error).toBeUndefined();
  });

  it('times out on a page that never loads, keeping its status, and the context still works', async () => {
    const page = await visit('/slow', { timeoutMs: 800 });
    expect(page.error?.kind).toBe('timeout');
    expect(page).toMatchObject({ status: 200, loadMs: null, links: [] });
    expect((await visit('/after-timeout')).title).toBe('/after-timeout');
    const other = await pool.acquire(never);
    pool.release(other);
  });

  it('times out on a page whose script never yields after its load, and the next visit gets a new page', async () => {
    const page = await visit('/busy', { timeoutMs: 1_500 });
    expect(page).toMatchObject({ status: 200, error: { kind: 'timeout' } });
    expect((await visit('/after-busy')).title).toBe('/after-busy');
  });

  it('keeps the first maxLinks links of a page and says it did', async () => {
    const page = await visitPage(lease.context, `${site.origin}/`, { timeoutMs, signal: never, maxLinks: 2 });
    expect(page.links).toHaveLength(2);
    expect(page.linksTruncated).toBe(true);
    expect((await visit('/')).linksTruncated).toBeUndefined();
  });

  it('reports a page that cannot be reached as a navigation error', async () => {
    const closed = await startSite();
    await closed.close();
    const page = await visitPage(lease.context, `${closed.origin}/`, { timeoutMs, signal: never });
    expect(page).toMatchObject({ status: null, links: [], error: { kind: 'navigation' } });
    expect(page.error?.message).toMatch(/ERR_CONNECTION_REFUSED/);
  });

  it('reports a page whose renderer crashes as a crash', async () => {
    const page = await lease.context.newPage();
    try {
      const slowOnes = (): number => site.requests.filter((request) => request.path === '/slow').length;
      const before = slowOnes();
      const visiting = visitPage(page, `${site.origin}/slow`, { timeoutMs, signal: never });
      await expect.poll(slowOnes).toBe(before + 1);
      const cdp = await lease.context.newCDPSession(page);
      // The answer to Page.crash never comes (the page is gone), so it is not waited for.
      void cdp.send('Page.crash').catch(() => undefined);
      expect((await visiting).error?.kind).toBe('crash');
    } finally {
      await page.close();
    }
  });

  it('visits in a page given, and leaves it open', async () => {
    const page = await lease.context.newPage();
    try {
      expect((await visitPage(page, `${site.origin}/given`, { timeoutMs, signal: never })).title).toBe(
        '/given',
      );
      expect(page.isClosed()).toBe(false);
      expect(page.url()).toBe(`${site.origin}/given`);
    } finally {
      await page.close();
    }
  });

  it('never submits a form or follows a link by itself', async () => {
    const before = site.requests.length;
    await visit('/');
    const seen = site.requests.slice(before);
    expect(seen.every((request) => request.method === 'GET')).toBe(true);
    expect(seen.map((request) => request.path)).not.toContain('/submitted');
    expect(seen.map((request) => request.path)).not.toContain('/about');
  });

  it('refuses a URL that is not http(s), navigating nothing', async () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', 'not a url']) {
      await expect(visitPage(lease.context, url, { timeoutMs, signal: never })).rejects.toSatisfy((error) =>
        hasCode(error, 'E_INVALID_ARGUMENT'),
      );
    }
  });

  it('rejects with the signal’s reason when aborted, and the context still works', async () => {
    const controller = new AbortController();
    const visiting = visit('/slow', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 200);
    await expect(visiting).rejects.toThrow('stop');
    await expect(visit('/', { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
    expect((await visit('/after-abort')).status).toBe(200);
  });

  it('keeps the documents a reused page left from piling up: its renderer collects them every few visits', async () => {
    const other = await pool.acquire(never);
    try {
      for (let i = 0; i < GC_EVERY_VISITS * 2; i++) {
        const visited = await visitPage(other.context, `${site.origin}/after-${i}`, {
          timeoutMs,
          signal: never,
        });
        expect(visited.status).toBe(200);
      }
      const [page] = other.context.pages();
      expect(other.context.pages()).toHaveLength(1);
      const session = await other.context.newCDPSession(page!);
      await session.send('Performance.enable');
      const documents = async (): Promise<number> => {
        const { metrics } = await session.send('Performance.getMetrics');
        return metrics.find((metric) => metric.name === 'Documents')?.value ?? Infinity;
      };
      // Without the collections: about two documents a visit (40 here), all kept.
      await expect.poll(documents, { timeout: 5_000 }).toBeLessThanOrEqual(5);
      await session.detach();
    } finally {
      pool.release(other);
    }
  });
});
