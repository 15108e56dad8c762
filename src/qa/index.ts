/**
 * The site QA crawler (`flotilla qa`, docs/qa.md): one browser with a context per worker (`browser/`),
 * the login that gives every context one session (`auth/`),
 * the URL layer (`urls/`: canonical URLs, link classification, scope, `rel=canonical`, robots.txt,
 * sitemaps), politeness, the crawl loop, the report model, crawls as durable runs (`qa-run.ts`), the
 * runs of one process under one bound and one politeness (`QaRunner`) and the `qa` step type.
 */
export * from './auth/index.js';
export * from './checks/index.js';
export * from './reports/index.js';
export * from './browser/index.js';
export { crawl } from './crawl.js';
export {
  crawlConfig,
  DEFAULT_NAVIGATION_TIMEOUT_MS,
  MAX_CRAWL_DELAY_S,
  MAX_WORKERS,
  type CrawlObserver,
  type CrawlOptions,
  type PageOutcome,
} from './crawl-options.js';
export type {
  CrawlProgress,
  CrawlSnapshot,
  Discoveries,
  QueuedUrl,
  SkippedUrl,
  TestedPage,
} from './crawl-state.js';
export {
  cancelStoredQaRun,
  resumeQaRun,
  startQaRun,
  type QaRunHandle,
  type QaRunOptions,
  type QaRunServices,
} from './qa-run.js';
export {
  DEFAULT_POOL_SIZE,
  MAX_POOL_SIZE,
  parseBatch,
  readBatchFile,
  runQaBatch,
  type BatchRun,
  type QaBatchOptions,
} from './batch.js';
export { QaRunner, type QaRunnerOptions, type QaRunnerStartOptions, type QaRunView } from './qa-runner.js';
export {
  BUDGET_NAMES,
  checkSettingsOf,
  crawlOptionsOf,
  parseQaSpec,
  QA_SPEC_FIELDS,
  QaSpecError,
  type QaSpec,
  type QaSpecInput,
} from './qa-spec.js';
export { qaStepType, type QaStep, type QaStepDeps, type QaStepOutput } from './qa-step.js';
export { storedQaReport, type StoredQaReport } from './stored-report.js';
export { HTTP_STATUS_CHECK, httpStatusFindings } from './http-status.js';
export {
  CRAWLER_USER_AGENT,
  HostPacer,
  retryAfterMs,
  ROBOTS_USER_AGENT,
  type HostPacerOptions,
} from './politeness.js';
export {
  atLeast,
  countBySeverity,
  type BaselineComparison,
  finding,
  groupFindings,
  SEVERITIES,
  type Finding,
  type FindingInput,
  type NotTested,
  type PageRecord,
  type QaReport,
  type Severity,
} from './report.js';
export {
  canonicalUrl,
  classifyLink,
  createScope,
  DESTRUCTIVE_ACTIONS,
  DESTRUCTIVE_PHRASES,
  MAX_URL_LENGTH,
  NON_HTML_EXTENSIONS,
  parseRobots,
  parseSitemap,
  resolveCanonical,
  ROBOTS_MAX_BYTES,
  SITEMAP_MAX_CHARS,
  SITEMAP_MAX_URLS,
  SitemapError,
  TRACKING_PARAM_PREFIXES,
  TRACKING_PARAMS,
  type CanonicalOptions,
  type CanonicalParamOptions,
  type CanonicalResult,
  type CanonicalSkipReason,
  type LinkContext,
  type LinkDecision,
  type LinkHints,
  type LinkSkipReason,
  type ParseRobotsOptions,
  type ParseSitemapOptions,
  type ResolveCanonicalOptions,
  type Robots,
  type Scope,
  type Sitemap,
  type SitemapIssue,
} from './urls/index.js';
