export { BrowserPool } from './browser-pool.js';
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_PAGES_PER_CONTEXT,
  type BrowserPoolOptions,
  type BrowserPoolStats,
} from './pool-options.js';
export type { ContextLease } from './slots.js';
export { loadStorageState, type BrowserCookie, type StorageState } from './context-settings.js';
export {
  BrowserCrashedError,
  BrowserLaunchError,
  CHROMIUM_INSTALL_COMMAND,
  NoBrowserError,
} from './errors.js';
export { CHROMIUM_COMMANDS, CHROMIUM_PATHS, CHROMIUM_VARIABLE, findChromium } from './find-chromium.js';
export {
  CHROMIUM_FLAGS,
  DEFAULT_LAUNCH_TIMEOUT_MS,
  PLAYWRIGHT_DISABLED_FEATURES,
  UNUSED_FEATURES,
} from './launch.js';
export { BROWSER_MARKER_VARIABLE, type BrowserTreeUsage } from './process-tree.js';
export { DEFAULT_MAX_LINKS, MAX_LINK_TEXT, type PageLink } from './page-content.js';
export {
  visitPage,
  type PageVisit,
  type Redirect,
  type VisitError,
  type VisitOptions,
  type VisitProbe,
} from './visit-page.js';
