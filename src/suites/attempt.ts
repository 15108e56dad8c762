import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Environment, SuiteConfig } from '../config/index.js';
import type { OutputStream } from '../events/index.js';
import { runProcess, SpawnError, type ProcessResult } from '../exec/index.js';
import { attemptStatus, type ReportFinding } from './outcome.js';
import { parseReport } from './reports/index.js';
import type { AttemptResult } from './types.js';

/** The placeholder a suite's command, report path and `env` values use for the attempt's output folder. */
export const OUT_PLACEHOLDER = '{out}';
/** The variable that holds the attempt's output folder in the suite's environment. */
export const OUT_DIR_VARIABLE = 'FLOTILLA_OUT_DIR';
/** The timeout of an attempt whose suite sets none: long, but a hang still ends. */
export const DEFAULT_SUITE_TIMEOUT_S = 3600;

/** One attempt to run. */
export interface AttemptPlan {
  readonly suite: string;
  readonly attempt: number;
  readonly config: SuiteConfig;
  /** The command to run, before `{out}` is substituted (a retry's filter already added). */
  readonly argv: readonly string[];
  readonly filtered: boolean;
  /** The attempt's fresh, empty output folder. */
  readonly outDir: string;
  /** The attempt's folder in the evidence, relative to the evidence folder. */
  readonly dir: string;
  /** The environment the suite's own `env` is added to. */
  readonly env: Environment;
  readonly signal: AbortSignal;
  readonly onLine: (stream: OutputStream, line: string) => void;
  /** Milliseconds between SIGTERM and SIGKILL when the attempt is stopped. */
  readonly killGraceMs?: number;
}

/** An attempt once it ended: its result, and the report it wrote (to keep as evidence). */
export interface AttemptRun {
  readonly result: AttemptResult;
  /** The report's absolute path when this attempt wrote one. */
  readonly reportPath: string | undefined;
}

/** `{out}` in `text` replaced by the output folder. */
export function withOut(text: string, outDir: string): string {
  return text.replaceAll(OUT_PLACEHOLDER, outDir);
}

/**
 * Runs one attempt of a suite in its own process group: `{out}` substituted, the timeout and idle timeout
 * applied to the whole group, then the report read — only if this attempt wrote it (a report outside
 * `{out}` that is unchanged since before the start is stale and never read). Never rejects for what the
 * suite did: a command that cannot start is an `error` attempt.
 */
export async function runAttempt(plan: AttemptPlan): Promise<AttemptRun> {
  const { config, outDir } = plan;
  const cwd = config.cwd ?? process.cwd();
  const argv = plan.argv.map((arg) => withOut(arg, outDir));
  const reportPath =
    config.report === undefined ? undefined : resolvePath(cwd, withOut(config.report.path, outDir));
  const before = reportPath === undefined ? null : await fileIdentity(reportPath);
  const env: Record<string, string | undefined> = { ...plan.env };
  for (const [name, value] of Object.entries(config.env ?? {})) env[name] = withOut(value, outDir);
  env[OUT_DIR_VARIABLE] = outDir;

  const startedAt = new Date();
  const timeoutS = config.timeout_s ?? DEFAULT_SUITE_TIMEOUT_S;
  let processResult: ProcessResult;
  try {
    processResult = await runProcess(argv, {
      cwd,
      env,
      timeoutMs: timeoutS * 1000,
      idleTimeoutMs: (config.idle_timeout_s ?? 0) * 1000,
      signal: plan.signal,
      onLine: plan.onLine,
      ...(plan.killGraceMs === undefined ? {} : { killGraceMs: plan.killGraceMs }),
    });
  } catch (error) {
    const cancelled = plan.signal.aborted;
    const message =
      error instanceof SpawnError ? `could not start: ${error.message}` : `could not run: ${String(error)}`;
    return {
      result: {
        ...base(plan, argv, startedAt, 0),
        status: cancelled ? 'cancelled' : 'error',
        error: cancelled ? 'cancelled' : message,
        exitCode: null,
        signal: null,
        tests: [],
      },
      reportPath: undefined,
    };
  }

  const finding = await findReport(config, reportPath, before);
  const { status, error } = attemptStatus(
    {
      exitCode: processResult.exitCode,
      signal: processResult.signal,
      timedOut: processResult.timedOut,
      stalled: processResult.stalled,
      cancelled: processResult.cancelled,
      limitS: processResult.stalled ? config.idle_timeout_s : timeoutS,
    },
    processResult.timedOut || processResult.stalled || processResult.cancelled
      ? { kind: 'none-declared' }
      : finding,
  );
  return {
    result: {
      ...base(plan, argv, startedAt, processResult.durationMs),
      status,
      error,
      exitCode: processResult.exitCode,
      signal: processResult.signal,
      tests: finding.kind === 'parsed' && status !== 'cancelled' ? finding.report.tests : [],
    },
    reportPath: finding.kind === 'parsed' || finding.kind === 'unreadable' ? reportPath : undefined,
  };
}

function base(plan: AttemptPlan, argv: readonly string[], startedAt: Date, durationMs: number) {
  return {
    attempt: plan.attempt,
    argv,
    filtered: plan.filtered,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    dir: plan.dir,
  };
}

function resolvePath(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/** What identifies one version of a file: written again, at least one of these changes. */
interface FileIdentity {
  readonly ino: number;
  readonly size: number;
  readonly mtimeNs: bigint;
}

async function fileIdentity(path: string): Promise<FileIdentity | null> {
  try {
    const found = await stat(path, { bigint: true });
    return { ino: Number(found.ino), size: Number(found.size), mtimeNs: found.mtimeNs };
  } catch {
    return null;
  }
}

/** The report the attempt wrote, read and parsed; or why there is none to read. */
async function findReport(
  config: SuiteConfig,
  path: string | undefined,
  before: FileIdentity | null,
): Promise<ReportFinding> {
  if (config.report === undefined || path === undefined) return { kind: 'none-declared' };
  const after = await fileIdentity(path);
  if (after === null) return { kind: 'missing', path: config.report.path, stale: false };
  if (
    before !== null &&
    before.ino === after.ino &&
    before.size === after.size &&
    before.mtimeNs === after.mtimeNs
  ) {
    return { kind: 'missing', path: config.report.path, stale: true };
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { kind: 'unreadable', reason: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
  try {
    return {
      kind: 'parsed',
      report: parseReport(config.report.format, text, { root: config.cwd ?? process.cwd() }),
    };
  } catch (error) {
    return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
  }
}
