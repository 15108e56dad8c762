import { z } from 'zod';
import { describeZodIssue, type QaConfig } from '../config/index.js';
import { InvalidArgumentError } from '../core/index.js';
import {
  CHECK_IDS,
  DEFAULT_BUDGETS,
  selectChecks,
  type CheckId,
  type CheckSettings,
  type PerformanceBudgets,
} from './checks/index.js';
import { MAX_WORKERS, type CrawlOptions } from './crawl-options.js';
import { SEVERITIES, type Severity } from './report.js';

/**
 * What one QA run crawls and how: the one shape the CLI's flags, a batch file's entries, `POST /v1/qa`,
 * a workflow's `qa` step and a stored run (for `--resume`) all come down to. Field names are the
 * report's `run.config` names (docs/qa.md).
 */
export interface QaSpec {
  readonly urls: readonly string[];
  readonly workers: number;
  readonly max_pages: number;
  readonly max_depth: number;
  readonly rate_limit: number;
  readonly allow_origins: readonly string[];
  /** Query parameters kept even when they look like tracking (`ref`), and more to drop (`sessionid`). */
  readonly keep_params: readonly string[];
  readonly ignore_params: readonly string[];
  readonly ignore_robots: boolean;
  readonly sitemap: boolean;
  readonly fail_on: Severity;
  /** The checks every page gets, in `CHECK_IDS` order: `checks` as written (all when absent) less `skip`. */
  readonly checks: readonly CheckId[];
  /** The performance budgets, the defaults filling what is left out. */
  readonly budgets: PerformanceBudgets;
  /** Whether `broken-link` checks links to other origins (never crawling them). */
  readonly external_links: boolean;
  /** Console messages that are no finding: regular expressions, matched case-insensitively. */
  readonly ignore_console: readonly string[];
  /** Findings this bad or worse get a screenshot (one per fingerprint); `none` for none. */
  readonly screenshot_on: Severity | 'none';
}

/** The fields a spec may have, for "unknown field" errors. */
export const QA_SPEC_FIELDS = [
  'urls',
  'workers',
  'max_pages',
  'max_depth',
  'rate_limit',
  'allow_origins',
  'keep_params',
  'ignore_params',
  'ignore_robots',
  'sitemap',
  'fail_on',
  'checks',
  'skip',
  'budgets',
  'external_links',
  'ignore_console',
  'screenshot_on',
] as const;

/** The budget names of `budgets` (and `--budget NAME=VALUE`). */
export const BUDGET_NAMES = ['load', 'lcp', 'cls'] as const;

const checkId = z.enum(CHECK_IDS, { error: `expected a check: ${CHECK_IDS.join(', ')}` });

/** A pattern that compiles as a regular expression. */
const pattern = z.string({ error: 'expected a regular expression' }).refine(
  (value) => {
    try {
      new RegExp(value, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected a regular expression that compiles' },
);

const webUrl = z.string({ error: 'expected an http or https URL' }).refine(
  (value) => {
    try {
      const protocol = new URL(value).protocol;
      return protocol === 'http:' || protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: 'expected an http or https URL' },
);

function whole(min: number, max = Infinity) {
  const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
  return z
    .number({ error: `expected an integer ${range}` })
    .int()
    .min(min)
    .max(max);
}

/** A spec that does not fit: `field` names where (`urls.0`, `workers`), `problem` what is wrong there. */
export class QaSpecError extends InvalidArgumentError {
  /** The field at fault as a path in the spec (`urls.0`); the spec's own name (`where`) for the whole of it. */
  readonly field: string;
  /** What is wrong with the field, without its name. */
  readonly problem: string;

  /** The message is `WHERE.FIELD: PROBLEM` (`WHERE: PROBLEM` for the whole spec). */
  constructor(where: string, field: string, problem: string) {
    super(`${field === where ? where : `${where}.${field}`}: ${problem}`);
    this.field = field;
    this.problem = problem;
  }
}

/** The schema of a spec as written (every field but `urls` optional: the defaults fill them). */
const specInputSchema = z.strictObject(
  {
    urls: z
      .array(webUrl, { error: 'expected a list of start URLs' })
      .min(1, 'expected at least one start URL'),
    workers: whole(1, MAX_WORKERS).optional(),
    max_pages: whole(1).optional(),
    max_depth: whole(0).optional(),
    rate_limit: z.number({ error: 'expected navigations per second ≥ 0' }).min(0).optional(),
    allow_origins: z.array(z.string({ error: 'expected an origin, host or *.host' })).optional(),
    keep_params: z.array(z.string({ error: 'expected a query parameter name' }).min(1)).optional(),
    ignore_params: z.array(z.string({ error: 'expected a query parameter name' }).min(1)).optional(),
    ignore_robots: z.boolean({ error: 'expected true or false' }).optional(),
    sitemap: z.boolean({ error: 'expected true or false' }).optional(),
    fail_on: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` }).optional(),
    checks: z
      .array(checkId, { error: 'expected a list of checks' })
      .min(1, 'expected at least one check')
      .optional(),
    skip: z.array(checkId, { error: 'expected a list of checks' }).optional(),
    budgets: z
      .strictObject(
        {
          load: z.number({ error: 'expected milliseconds > 0' }).positive().optional(),
          lcp: z.number({ error: 'expected milliseconds > 0' }).positive().optional(),
          cls: z.number({ error: 'expected a layout shift score ≥ 0' }).min(0).optional(),
        },
        { error: `expected a mapping of ${BUDGET_NAMES.join(', ')}` },
      )
      .optional(),
    external_links: z.boolean({ error: 'expected true or false' }).optional(),
    ignore_console: z.array(pattern, { error: 'expected a list of regular expressions' }).optional(),
    screenshot_on: z
      .enum([...SEVERITIES, 'none'], { error: `expected one of ${SEVERITIES.join(', ')}, none` })
      .optional(),
  },
  { error: 'expected a mapping' },
);

/** What a spec as written may hold. */
export type QaSpecInput = z.input<typeof specInputSchema>;

/**
 * `input` as a spec, the defaults (`qa:` of the configuration) filling what it leaves out.
 * @param where what `input` is, for errors: `--batch-file runs.json: runs[2]`, `body`, …
 * @throws QaSpecError (an `InvalidArgumentError`) naming the field and what was expected;
 *   InvalidArgumentError when the defaults themselves do not fit (`qa.workers` above `MAX_WORKERS`).
 */
export function parseQaSpec(input: unknown, defaults: QaConfig, where = 'spec'): QaSpec {
  const parsed = specInputSchema.safeParse(input);
  if (!parsed.success) {
    const problem = describeZodIssue(parsed.error.issues[0]!, where, QA_SPEC_FIELDS);
    throw new QaSpecError(where, problem.field, problem.message);
  }
  const spec = parsed.data;
  let checks: CheckId[];
  try {
    checks = selectChecks(spec.checks, spec.skip);
  } catch (error) {
    throw new QaSpecError(where, 'skip', (error as Error).message.replace(/^skip: /, ''));
  }
  if (defaults.workers > MAX_WORKERS && spec.workers === undefined) {
    throw new InvalidArgumentError(
      `qa.workers: expected an integer from 1 to ${MAX_WORKERS}, got ${defaults.workers}`,
    );
  }
  return {
    urls: spec.urls,
    workers: spec.workers ?? defaults.workers,
    max_pages: spec.max_pages ?? defaults.max_pages,
    max_depth: spec.max_depth ?? defaults.max_depth,
    rate_limit: spec.rate_limit ?? defaults.rate_limit,
    allow_origins: spec.allow_origins ?? [],
    keep_params: spec.keep_params ?? [],
    ignore_params: spec.ignore_params ?? [],
    ignore_robots: spec.ignore_robots ?? false,
    sitemap: spec.sitemap ?? false,
    fail_on: spec.fail_on ?? 'high',
    checks,
    budgets: { ...DEFAULT_BUDGETS, ...spec.budgets },
    external_links: spec.external_links ?? true,
    ignore_console: spec.ignore_console ?? [],
    screenshot_on: spec.screenshot_on ?? 'high',
  };
}

/** The check settings of a spec. */
export function checkSettingsOf(spec: QaSpec): CheckSettings {
  return {
    budgets: spec.budgets,
    externalLinks: spec.external_links,
    ignoreConsole: spec.ignore_console.map((source) => new RegExp(source, 'i')),
  };
}

/** The crawl options of a spec (everything but the pool, the pacer and the signal). */
export function crawlOptionsOf(
  spec: QaSpec,
): Omit<CrawlOptions, 'pool' | 'pacer' | 'signal' | 'observer' | 'resume' | 'id'> {
  return {
    urls: spec.urls,
    workers: spec.workers,
    maxPages: spec.max_pages,
    maxDepth: spec.max_depth,
    rateLimit: spec.rate_limit,
    allowOrigins: spec.allow_origins,
    params: { keepParams: spec.keep_params, ignoreParams: spec.ignore_params },
    ignoreRobots: spec.ignore_robots,
    sitemap: spec.sitemap,
    failOn: spec.fail_on,
    checks: spec.checks,
    checkSettings: checkSettingsOf(spec),
    screenshotOn: spec.screenshot_on,
  };
}

/**
 * A spec as a run stored it, the fields a run stored before checks could be chosen filled with what such
 * a run did: `http-status` only, no screenshot (a resumed run goes on as it began).
 */
export function storedQaSpec(stored: unknown): QaSpec {
  const spec = stored as Partial<QaSpec> & Pick<QaSpec, 'urls'>;
  return {
    ...(spec as QaSpec),
    checks: spec.checks ?? ['http-status'],
    budgets: { ...DEFAULT_BUDGETS, ...spec.budgets },
    external_links: spec.external_links ?? true,
    ignore_console: spec.ignore_console ?? [],
    screenshot_on: spec.screenshot_on ?? 'none',
  };
}
