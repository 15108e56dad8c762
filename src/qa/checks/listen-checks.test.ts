import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEVER_ABORTED } from '../../core/index.js';
import { BrowserPool } from '../browser/index.js';
import { consoleErrorCheck } from './console-error.js';
import { failedRequestCheck } from './failed-request.js';
import { checkPage } from './fixtures/check-harness.js';
import { serveHttpsPages, type HttpsPagesSite } from './fixtures/https-pages.js';
import {
  expected,
  expectedOverHttps,
  listenPagePaths,
  listenPages,
  type ExpectedFinding,
} from './fixtures/listen-pages.js';
import { mixedContentCheck } from './mixed-content.js';
import { pageErrorCheck } from './page-error.js';
import { performanceCheck } from './performance.js';

/*
 * The /listen/ pages with all five listening checks at once, as a crawl runs them: each planted page gives
 * its findings and no other, the clean ones none, over https and over plain http.
 */

const checks = [consoleErrorCheck, pageErrorCheck, failedRequestCheck, mixedContentCheck, performanceCheck];

let pool: BrowserPool;
let site: HttpsPagesSite;

beforeAll(async () => {
  [pool, site] = await Promise.all([
    BrowserPool.launch({ contexts: 1, ignoreHttpsErrors: true, signal: NEVER_ABORTED }),
    serveHttpsPages(listenPages),
  ]);
});
afterAll(async () => {
  await pool?.close();
  await site?.close();
});

/** Every finding of every page at `origin`, as `ExpectedFinding`s, sorted. */
async function findingsAt(origin: string): Promise<string[]> {
  const found: string[] = [];
  for (const path of listenPagePaths) {
    const { visit, findings } = await checkPage(pool, `${origin}${path}`, checks);
    expect(visit.error, path).toBeUndefined();
    for (const { check, rule, severity } of findings) found.push(key({ path, check, rule, severity }));
  }
  return found.sort();
}

function key({ path, check, rule, severity }: ExpectedFinding): string {
  return `${path} ${check} ${rule} ${severity}`;
}

describe('the listening checks together', () => {
  it('give exactly the expected findings over https', async () => {
    expect(await findingsAt(site.origin)).toEqual([...expected, ...expectedOverHttps].map(key).sort());
  }, 90_000);

  it('give exactly the expected findings over plain http, where no page is mixed', async () => {
    expect(await findingsAt(site.plainOrigin)).toEqual(expected.map(key).sort());
  }, 90_000);
});
