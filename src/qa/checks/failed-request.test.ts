import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEVER_ABORTED } from '../../core/index.js';
import { BrowserPool } from '../browser/index.js';
import { failedRequestCheck, MAX_LISTED_RESOURCES } from './failed-request.js';
import { checkPage, cleanPage, servePages, type PagesSite } from './fixtures/check-harness.js';
import { cleanListenPaths, expected, listenPages } from './fixtures/listen-pages.js';

/** A loopback port nothing listens on: one just closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let pool: BrowserPool;
let site: PagesSite;
let refused: string;

/** A page whose resources fail every way: 5xx, refused, 4xx (a script, a frame), one twice. */
function brokenSet(title: string): string {
  return cleanPage(
    title,
    `<img src="${refused}/listen/gone.png" alt="Refused">
<script src="/listen/broken.js"></script>
<script src="/listen/set/missing.js"></script>
<iframe title="A missing frame" src="/listen/set/missing-frame"></iframe>
<img src="/listen/set/missing.png?v=1" alt="Missing"><img src="/listen/set/missing.png?v=1" alt="Missing again">`,
  );
}

beforeAll(async () => {
  refused = `http://127.0.0.1:${await closedPort()}`;
  const pages = {
    ...listenPages,
    '/listen/set/1': brokenSet('Broken set one'),
    '/listen/set/2': brokenSet('Broken set two'),
    '/listen/set/many': cleanPage(
      'Many missing',
      Array.from(
        { length: 25 },
        (_, i) => `<img src="/listen/set/missing-${i}.png" alt="Missing ${i}">`,
      ).join(''),
    ),
    // Not failures: a missing favicon, a fetch the page aborts (net::ERR_ABORTED, as when it navigates away).
    '/listen/set/not-failures': cleanPage(
      'Not failures',
      `<img src="/favicon.ico" alt="Icon">
<script>const stop = new AbortController();
fetch('/listen/slow-load.js', { signal: stop.signal }).catch(() => undefined);
stop.abort();</script>`,
    ),
  };
  [pool, site] = await Promise.all([
    BrowserPool.launch({ contexts: 1, signal: NEVER_ABORTED }),
    servePages(pages),
  ]);
});
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

describe('failed-request', () => {
  it('gives the planted failed resources, and nothing for the clean pages', async () => {
    const listed: Record<string, string> = {
      '/listen/resource-error': `Failed or answered a server error: ${site.origin}/listen/broken.js (500, script).`,
      '/listen/resource-4xx': `Answered a client error: ${site.origin}/listen/missing.css (404, stylesheet).`,
    };
    for (const { path, rule, severity } of expected.filter((one) => one.check === 'failed-request')) {
      const { findings } = await checkPage(pool, `${site.origin}${path}`, [failedRequestCheck]);
      expect(findings, path).toHaveLength(1);
      expect(findings[0]).toMatchObject({ check: 'failed-request', rule, severity, message: listed[path] });
    }
    for (const path of cleanListenPaths) {
      const { findings } = await checkPage(pool, `${site.origin}${path}`, [failedRequestCheck]);
      expect(findings, path).toEqual([]);
    }
  });

  it('groups a page’s resources in two findings, the same set on two pages being one fingerprint', async () => {
    const one = await checkPage(pool, `${site.origin}/listen/set/1`, [failedRequestCheck]);
    expect(one.findings.map(({ rule, severity }) => [rule, severity])).toEqual([
      ['resource-error', 'high'],
      ['resource-4xx', 'medium'],
    ]);
    const [errors, missing] = one.findings;
    expect(errors?.title).toBe('2 resources failed to load');
    // Listed in the order of their URLs (the ports of the two servers decide it).
    const failed = [
      `${refused}/listen/gone.png (net::ERR_CONNECTION_REFUSED, image)`,
      `${site.origin}/listen/broken.js (500, script)`,
    ].sort();
    expect(errors?.message).toBe(`Failed or answered a server error: ${failed.join('; ')}.`);
    // The 404 script's body is dropped (net::ERR_ABORTED): it is told once, as its 404; the image asked twice, once.
    expect(missing?.message).toBe(
      `Answered a client error: ${site.origin}/listen/set/missing-frame (404, document); ` +
        `${site.origin}/listen/set/missing.js (404, script); ` +
        `${site.origin}/listen/set/missing.png?v=1 (404, image).`,
    );
    const two = await checkPage(pool, `${site.origin}/listen/set/2`, [failedRequestCheck]);
    expect(two.findings.map((found) => found.fingerprint)).toEqual(
      one.findings.map((found) => found.fingerprint),
    );
  });

  it(`lists the first ${MAX_LISTED_RESOURCES} resources of a finding, then how many more`, async () => {
    const { findings } = await checkPage(pool, `${site.origin}/listen/set/many`, [failedRequestCheck]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.title).toBe('25 resources are missing');
    expect(findings[0]?.message.match(/\(404, image\)/g)).toHaveLength(MAX_LISTED_RESOURCES);
    expect(findings[0]?.message).toMatch(/; and 5 more\.$/);
  });

  it('ignores a missing favicon, what the page aborts and the page’s own document', async () => {
    for (const path of ['/listen/set/not-failures', '/listen/not-there']) {
      const { findings } = await checkPage(pool, `${site.origin}${path}`, [failedRequestCheck]);
      expect(findings, path).toEqual([]);
    }
  });
});
