import { readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumProcesses } from './fixtures/chromium-processes.js';
import { startSite, type TestSite } from './fixtures/site.js';
import { findChromium } from './find-chromium.js';
import {
  launchBrowser,
  PLAYWRIGHT_DISABLED_FEATURES,
  UNUSED_FEATURES,
  type LaunchedBrowser,
} from './launch.js';
import { terminateBrowserTree } from './process-tree.js';
import { visitPage } from './visit-page.js';

const never = new AbortController().signal;
let site: TestSite;
let launched: LaunchedBrowser;
let browser: Browser;

beforeAll(async () => {
  site = await startSite();
  launched = await launchBrowser(findChromium(), { signal: never });
  browser = launched.browser;
});
afterAll(async () => {
  await browser?.close();
  if (launched !== undefined) await terminateBrowserTree(launched.identity, 1_000);
  await site?.close();
});

/** The features named by each `--disable-features` of a process's command line, in order. */
function disabledFeatureLists(pid: number): string[][] {
  return readFileSync(`/proc/${pid}/cmdline`, 'latin1')
    .split('\0')
    .filter((arg) => arg.startsWith('--disable-features='))
    .map((arg) => arg.slice('--disable-features='.length).split(','));
}

/** The renderer processes of the browser whose main process is `mainPid`. */
function renderersOf(mainPid: number): number[] {
  const processes = chromiumProcesses();
  const tree = new Set([mainPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of processes) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  return processes.filter((p) => tree.has(p.pid) && p.cmdline.includes('--type=renderer')).map((p) => p.pid);
}

describe('launchBrowser', () => {
  it("keeps every feature Playwright disables: Flotilla's --disable-features, the last one, repeats its list", async () => {
    const server = await chromium.launchServer({
      executablePath: findChromium(),
      headless: true,
      args: ['--no-sandbox'],
    });
    let playwrights: string[];
    try {
      const lists = disabledFeatureLists(server.process().pid!);
      expect(lists).toHaveLength(1);
      playwrights = lists[0]!;
    } finally {
      await server.close();
    }
    expect([...PLAYWRIGHT_DISABLED_FEATURES].sort()).toEqual([...playwrights].sort());
    const ours = disabledFeatureLists(launched.identity.mainPid!).at(-1)!;
    expect(ours).toEqual(expect.arrayContaining([...playwrights, ...UNUSED_FEATURES]));
  });

  it('renders no address-bar popup for a context', async () => {
    const context = await browser.newContext();
    try {
      await context.newPage();
      const session = await browser.newBrowserCDPSession();
      const { targetInfos } = await session.send('Target.getTargets');
      await session.detach();
      expect(targetInfos.map((target) => `${target.type} ${target.url}`)).toEqual(['page about:blank']);
    } finally {
      await context.close();
    }
  });

  it('starts no renderer per navigation when two contexts navigate in turn', async () => {
    const contexts = [await browser.newContext(), await browser.newContext()];
    try {
      const seen = new Set<number>();
      for (let i = 0; i < 16; i++) {
        const visit = await visitPage(contexts[i % 2]!, `${site.origin}/after-${i}`, {
          timeoutMs: 10_000,
          signal: never,
        });
        expect(visit.status).toBe(200);
        for (const pid of renderersOf(launched.identity.mainPid!)) seen.add(pid);
      }
      // One renderer per context's page; with a spare renderer per navigation it was about 16.
      expect(seen.size).toBeLessThanOrEqual(4);
    } finally {
      await Promise.all(contexts.map((context) => context.close()));
    }
  });
});
