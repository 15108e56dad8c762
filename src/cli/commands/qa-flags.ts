import { resolve } from 'node:path';
import { InvalidArgumentError } from '../../core/index.js';
import {
  BUDGET_NAMES,
  DEFAULT_POOL_SIZE,
  MAX_POOL_SIZE,
  parseQaSpec,
  readBatchFile,
  selectChecks,
  type QaSpec,
} from '../../qa/index.js';
import { UsageError } from '../errors.js';

/** The flags that set how a crawl goes: a resumed run keeps its own, so they cannot come with `--resume`. */
const CRAWL_FLAGS = {
  workers: '--workers',
  maxPages: '--max-pages',
  maxDepth: '--max-depth',
  rateLimit: '--rate-limit',
  ignoreRobots: '--ignore-robots',
  sitemap: '--sitemap',
  failOn: '--fail-on',
  checks: '--checks',
  skip: '--skip',
  screenshots: '--screenshots',
} as const;

/** The flags of `flotilla qa` this module reads. */
export type QaFlags = {
  allowOrigin: string[];
  keepParam: string[];
  ignoreParam: string[];
  budget: string[];
  ignoreConsole: string[];
  /** `false` with `--no-external-links`. */
  externalLinks: boolean;
  ignoreRobots?: true;
  sitemap?: true;
  failOn?: string;
  checks?: string;
  skip?: string;
  screenshots?: string;
  resume?: string;
  batchFile?: string;
  [flag: string]: unknown;
};

/** What the command was asked: one crawl, a resumed one, or a batch; conflicting asks are usage errors. */
export function checkMode(urls: readonly string[], options: QaFlags): 'crawl' | 'resume' | 'batch' {
  if (options.resume !== undefined) {
    if (options.batchFile !== undefined)
      throw new UsageError('--resume: give --resume or --batch-file, not both');
    if (urls.length > 0) throw new UsageError('--resume: a resumed crawl keeps its own URLs; give no URL');
    const given = Object.entries(CRAWL_FLAGS).find(([key]) => options[key] !== undefined);
    const lists: [string, readonly string[]][] = [
      ['--allow-origin', options.allowOrigin],
      ['--keep-param', options.keepParam],
      ['--ignore-param', options.ignoreParam],
      ['--budget', options.budget],
      ['--ignore-console', options.ignoreConsole],
    ];
    const list = lists.find(([, values]) => values.length > 0)?.[0];
    const external = options.externalLinks ? undefined : '--no-external-links';
    const drop = given?.[1] ?? list ?? external;
    if (drop !== undefined) {
      throw new UsageError(`--resume: a resumed crawl keeps its own settings; drop ${drop}`);
    }
    return 'resume';
  }
  if (options.batchFile !== undefined) {
    if (urls.length > 0) throw new UsageError('--batch-file: the runs’ URLs are in the file; give no URL');
    return 'batch';
  }
  if (options['poolSize'] !== undefined) throw new UsageError('--pool-size: only with --batch-file');
  if (urls.length === 0)
    throw new UsageError('flotilla qa: give at least one start URL, --batch-file FILE or --resume RUN_ID');
  return 'crawl';
}

/**
 * The spec fields the flags give (what a batch entry inherits when it leaves the field out); a bad value
 * is a usage error naming its flag.
 */
export function flagDefaults(options: QaFlags): Record<string, unknown> {
  const checks = checkList('--checks', options.checks);
  const skip = checkList('--skip', options.skip);
  if (checks !== undefined || skip !== undefined) {
    try {
      selectChecks(checks, skip);
    } catch (error) {
      throw new UsageError(
        `${checks === undefined ? '--skip' : '--checks'}: ${(error as Error).message.replace(/^\w+: /, '')}`,
      );
    }
  }
  const budgets = budgetsOf(options.budget);
  for (const pattern of options.ignoreConsole) {
    try {
      new RegExp(pattern, 'i');
    } catch (error) {
      throw new UsageError(`--ignore-console: ${(error as Error).message}`);
    }
  }
  return {
    ...(options.allowOrigin.length === 0 ? {} : { allow_origins: options.allowOrigin }),
    ...(options.keepParam.length === 0 ? {} : { keep_params: options.keepParam }),
    ...(options.ignoreParam.length === 0 ? {} : { ignore_params: options.ignoreParam }),
    ...(options.ignoreRobots === true ? { ignore_robots: true } : {}),
    ...(options.sitemap === true ? { sitemap: true } : {}),
    ...(options.failOn === undefined ? {} : { fail_on: options.failOn }),
    ...(checks === undefined ? {} : { checks }),
    ...(skip === undefined ? {} : { skip }),
    ...(budgets === undefined ? {} : { budgets }),
    ...(options.externalLinks ? {} : { external_links: false }),
    ...(options.ignoreConsole.length === 0 ? {} : { ignore_console: options.ignoreConsole }),
    ...(options.screenshots === undefined ? {} : { screenshot_on: options.screenshots }),
  };
}

/** `a,b` of `--checks` or `--skip` as a list (blank items dropped); `undefined` when not given. */
function checkList(flag: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0) throw new UsageError(`${flag}: expected check ids separated by commas`);
  return ids;
}

/** `--budget lcp=2500 --budget cls=0.1,load=3000` as `{ lcp: 2500, cls: 0.1, load: 3000 }`. */
function budgetsOf(words: readonly string[]): Record<string, number> | undefined {
  if (words.length === 0) return undefined;
  const budgets: Record<string, number> = {};
  for (const word of words.flatMap((one) => one.split(','))) {
    const [name = '', text = ''] = word.split('=', 2).map((part) => part.trim());
    if (!(BUDGET_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `--budget: expected NAME=VALUE with NAME one of ${BUDGET_NAMES.join(', ')}, got ${JSON.stringify(word)}`,
      );
    }
    const value = Number(text);
    if (text === '' || !Number.isFinite(value) || value < 0 || (name !== 'cls' && value === 0)) {
      const what = name === 'cls' ? 'a layout shift score ≥ 0' : 'milliseconds > 0';
      throw new UsageError(`--budget: ${name} expects ${what}, got ${JSON.stringify(text)}`);
    }
    budgets[name] = value;
  }
  return budgets;
}

/** The runs of a batch file, the flags filling what an entry leaves out. */
export async function batchOf(
  file: string,
  defaults: Parameters<typeof parseQaSpec>[1],
  entryDefaults: Record<string, unknown>,
): Promise<QaSpec[]> {
  try {
    return await readBatchFile(resolve(file), defaults, file, entryDefaults);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message);
    throw error;
  }
}

export function poolSizeOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_POOL_SIZE;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_POOL_SIZE) {
    throw new UsageError(
      `--pool-size: expected an integer from 1 to ${MAX_POOL_SIZE}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** The crawl the flags ask for; a bad value is a usage error naming its flag. */
export function specOf(
  urls: readonly string[],
  options: QaFlags,
  defaults: Parameters<typeof parseQaSpec>[1],
): QaSpec {
  for (const url of urls) {
    if (!/^https?:\/\//i.test(url))
      throw new UsageError(`URL ${JSON.stringify(url)}: expected an http or https URL`);
  }
  try {
    return parseQaSpec({ urls, ...flagDefaults(options) }, defaults, 'flotilla qa');
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message);
    throw error;
  }
}
