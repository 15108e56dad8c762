import { readFile } from 'node:fs/promises';
import type { QaConfig } from '../config/index.js';
import { assertCount, InvalidArgumentError, mapOrdered, NEVER_ABORTED } from '../core/index.js';
import { LoginSession, withoutPassword } from './auth/index.js';
import { BrowserPool } from './browser/index.js';
import type { LinkStatusCache } from './checks/index.js';
import { HostPacer } from './politeness.js';
import { startQaRun, type QaRunServices } from './qa-run.js';
import { parseQaSpec, type QaSpec } from './qa-spec.js';
import type { QaReport } from './report.js';

/** How many runs of a batch crawl at once, by default. */
export const DEFAULT_POOL_SIZE = 4;
/** The most runs of a batch that may crawl at once. */
export const MAX_POOL_SIZE = 8;
/** The largest batch file read. */
const MAX_BATCH_FILE_BYTES = 1024 * 1024;

/** One run of a batch: its report, or why it could not crawl, or that it never started (stopped first). */
export type BatchRun =
  | { readonly index: number; readonly id: string; readonly report: QaReport }
  | { readonly index: number; readonly id: string; readonly error: string }
  | { readonly index: number; readonly skipped: 'stopped' };

/** Options of `runQaBatch`. */
export interface QaBatchOptions {
  /** Runs crawling at once (1–8). @default DEFAULT_POOL_SIZE */
  readonly poolSize?: number;
  /** Stops every run (they end `interrupted`, resumable one by one) and starts no more. */
  readonly signal?: AbortSignal;
  /** Told when each run starts (its id is stored by then). */
  readonly started?: (index: number, id: string) => void;
  /** Each run's report folder, from its id (its screenshots go there). @default none: no screenshot */
  readonly out?: (id: string) => string;
}

/**
 * Reads a batch file: a JSON array of run specs (`urls`, `max_pages`, `workers`, …; docs/qa.md), each
 * completed from `defaults`. Every entry is checked before anything starts.
 * @throws InvalidArgumentError naming the file and the entry (`runs.json: [2].max_pages: …`); the file's
 *   content is never quoted.
 */
export async function readBatchFile(
  file: string,
  defaults: QaConfig,
  displayName = file,
  entryDefaults: Readonly<Record<string, unknown>> = {},
): Promise<QaSpec[]> {
  let text: string;
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_BATCH_FILE_BYTES) {
      throw new InvalidArgumentError(`${displayName}: larger than ${MAX_BATCH_FILE_BYTES} bytes`);
    }
    text = buffer.toString('utf8');
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(
      `--batch-file ${displayName}: cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? 'error')})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message.replace(/ in JSON.*$/s, '') : 'invalid';
    throw new InvalidArgumentError(`${displayName}: not valid JSON (${detail.slice(0, 120)})`);
  }
  return parseBatch(data, defaults, displayName, entryDefaults);
}

/**
 * A batch as data (a batch file's content, a request's body): every entry a spec. `entryDefaults` (the
 * command line's `--fail-on`, say) fill the fields an entry leaves out, before `defaults` do.
 */
export function parseBatch(
  data: unknown,
  defaults: QaConfig,
  where: string,
  entryDefaults: Readonly<Record<string, unknown>> = {},
): QaSpec[] {
  if (!Array.isArray(data) || data.length === 0) {
    throw new InvalidArgumentError(
      `${where}: expected a non-empty JSON array of runs ({ "urls": [...], ... })`,
    );
  }
  return data.map((entry: unknown, index) => {
    const filled =
      typeof entry === 'object' && entry !== null && !Array.isArray(entry)
        ? { ...entryDefaults, ...entry }
        : entry;
    return parseQaSpec(filled, defaults, `${where}: [${index}]`);
  });
}

/**
 * Crawls every spec as its own durable run (each with its own copy of its settings), `poolSize` at a
 * time, in one browser whose contexts the runs share, with one politeness for all: navigations to a host
 * are spaced at the strictest `rate_limit` of the batch, whichever run makes them, a link the runs share
 * is checked once, and one login (the services' `access`) whose session every run's contexts share.
 * Resolves with one entry per spec, in the batch's order, also when stopped.
 */
export async function runQaBatch(
  specs: readonly QaSpec[],
  services: Omit<QaRunServices, 'pacer' | 'pool' | 'linkCache'>,
  options: QaBatchOptions = {},
): Promise<BatchRun[]> {
  const poolSize = assertCount('pool_size', options.poolSize ?? DEFAULT_POOL_SIZE, 1);
  if (poolSize > MAX_POOL_SIZE) {
    throw new InvalidArgumentError(
      `pool_size: expected an integer from 1 to ${MAX_POOL_SIZE}, got ${poolSize}`,
    );
  }
  const signal = options.signal ?? NEVER_ABORTED;
  const rates = specs.map((spec) => spec.rate_limit).filter((rate) => rate > 0);
  const pacer = new HostPacer(rates.length === 0 ? 0 : Math.min(...rates));
  // A link the runs share is asked once for the batch (their checks send no session: one answer for all).
  const linkCache: LinkStatusCache = new Map();
  // Enough contexts for the busiest moment: the `poolSize` widest runs crawling together.
  const widest = specs.map((spec) => spec.workers).sort((a, b) => b - a);
  const contexts = widest.slice(0, poolSize).reduce((sum, workers) => sum + workers, 0);
  const pool = await BrowserPool.launch({
    contexts,
    env: withoutPassword(services.env ?? process.env),
    signal,
    ...services.access?.pool,
  });
  try {
    // One login for the whole batch: every run's contexts get its session.
    const login =
      services.access?.login === undefined ? undefined : new LoginSession({ pool, ...services.access.login });
    await login?.login(signal);
    const { results } = await mapOrdered(
      specs,
      async (spec, index): Promise<BatchRun> => {
        if (signal.aborted) return { index, skipped: 'stopped' };
        const run = startQaRun(
          spec,
          { ...services, pacer, pool, linkCache, ...(login === undefined ? {} : { login }) },
          { signal, ...(options.out === undefined ? {} : { out: options.out }) },
        );
        options.started?.(index, run.id);
        try {
          return { index, id: run.id, report: await run.done };
        } catch (error) {
          return { index, id: run.id, error: error instanceof Error ? error.message : String(error) };
        }
      },
      { concurrency: poolSize, stopOnError: false },
    );
    return results.map((result, index) =>
      result.status === 'fulfilled' ? result.value : { index, id: '', error: String(result.reason) },
    );
  } finally {
    await pool.close();
  }
}
