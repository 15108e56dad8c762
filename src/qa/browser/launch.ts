import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import type { Environment } from '../../config/index.js';
import { stopwatch } from '../../core/index.js';
import { abortable } from './abortable.js';
import { BrowserLaunchError } from './errors.js';
import {
  BROWSER_MARKER_VARIABLE,
  identifyBrowser,
  terminateBrowserTree,
  type BrowserIdentity,
} from './process-tree.js';

/**
 * The Chromium features Playwright 1.65 disables (its own `--disable-features`). A second
 * `--disable-features` replaces the first instead of adding to it, so `CHROMIUM_FLAGS` repeats them;
 * launch.test.ts fails when Playwright's list has one that this one lacks.
 */
export const PLAYWRIGHT_DISABLED_FEATURES: readonly string[] = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * What a crawl never needs, in processes that cost memory and CPU (measured with Chromium 156, see
 * docs/qa.md, "Speed"):
 * - `WebUIOmniboxPopup`, `WebUIOmniboxAimPopup`: the address bar's popup, a web page of its own that
 *   headless Chromium renders for every browser context, in a renderer process of its own (~110 MB
 *   resident each), though nothing ever shows it.
 * - `SpareRendererForSitePerProcess`: the spare renderer Chromium starts ahead for the browser context that
 *   navigates. With several contexts navigating in turn, each navigation threw away the other context's
 *   spare and started a new one: 159 renderer processes for 200 pages with 4 contexts, against 6 without.
 */
export const UNUSED_FEATURES: readonly string[] = [
  'WebUIOmniboxPopup',
  'WebUIOmniboxAimPopup',
  'SpareRendererForSitePerProcess',
];

/**
 * The flags every browser is launched with: headless, no sandbox (containers and root have none to
 * give), no GPU, no QUIC, and none of the background traffic a desktop browser makes (first-run pages,
 * component updates, sync), so a crawl sends only the requests of the pages it visits; Playwright's
 * disabled features, and `UNUSED_FEATURES`.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...UNUSED_FEATURES].join(',')}`,
];

/** How long a launch may take by default before it counts as failed. */
export const DEFAULT_LAUNCH_TIMEOUT_MS = 30_000;

/** Options of `launchBrowser`. */
export interface LaunchBrowserOptions {
  /** The environment the browser starts with (the marker is added to it). @default process.env */
  readonly env?: Environment;
  /** @default DEFAULT_LAUNCH_TIMEOUT_MS */
  readonly timeoutMs?: number;
  readonly signal: AbortSignal;
}

/** A launched browser and how to find its processes. */
export interface LaunchedBrowser {
  readonly browser: Browser;
  readonly identity: BrowserIdentity;
  /** Milliseconds from the call to a browser that answers. */
  readonly launchMs: number;
}

/**
 * Launches one headless Chromium with `CHROMIUM_FLAGS` through playwright-core, with a fresh marker in
 * its environment so its processes can be found (and killed) whatever happens to it. Playwright's own
 * signal handlers are off: the caller decides when the browser closes.
 *
 * If `signal` aborts first, rejects with its reason and closes the browser if it still comes up.
 * @throws BrowserLaunchError (`E_BROWSER_LAUNCH`) when the browser exits or does not answer in time.
 */
export async function launchBrowser(
  executablePath: string,
  options: LaunchBrowserOptions,
): Promise<LaunchedBrowser> {
  const { signal } = options;
  if (signal.aborted) throw signal.reason;
  const elapsed = stopwatch();
  const marker = `${process.pid}-${randomUUID()}`;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env ?? process.env)) {
    if (value !== undefined) env[name] = value;
  }
  env[BROWSER_MARKER_VARIABLE] = marker;
  // Loaded here, not at the top: playwright-core doubles a process's memory, and every process a
  // server spawns (a job's agent) costs a fork of that memory; only a process that crawls pays for it.
  const { chromium } = await import('playwright-core');
  const launching = chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    env,
    timeout: options.timeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  let browser: Browser;
  try {
    browser = await abortable(launching, signal);
  } catch (error) {
    if (signal.aborted) {
      void launching.then((late) => closeLate(late, marker));
      throw signal.reason;
    }
    throw new BrowserLaunchError(executablePath, error);
  }
  const identity = await identifyBrowser(marker);
  if (signal.aborted) {
    await closeLate(browser, marker);
    throw signal.reason;
  }
  return { browser, identity, launchMs: elapsed() };
}

/** Closes a browser nobody wants any more, and whatever it leaves running. */
async function closeLate(browser: Browser, marker: string): Promise<void> {
  const identity = await identifyBrowser(marker);
  await browser.close().catch(() => undefined);
  await terminateBrowserTree(identity, 1_000);
}
