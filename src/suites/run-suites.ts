import { availableParallelism } from 'node:os';
import type { Environment, SuiteConfig, SuitesConfig } from '../config/index.js';
import { InvalidArgumentError, Limiter, NEVER_ABORTED } from '../core/index.js';
import type { OutputStream } from '../events/index.js';
import { newRecordId } from '../store/index.js';
import { runAttempt, type AttemptPlan } from './attempt.js';
import { EvidenceWriter } from './evidence/index.js';
import { countTests, mergeTests, retryable, suitePassed, suiteStatus } from './outcome.js';
import { retryCommand } from './retry-filter.js';
import { historyOf, type SuiteHistory, type SuitesHistoryReport } from './history.js';
import type { AttemptResult, SuiteResult, SuiteStatus, TestCase, TestCounts } from './types.js';

/** What a run of suites is told to do beyond the configuration (the command line's flags). */
export interface RunSuitesOptions {
  /** `suites:` of the configuration: the settings and the suites. */
  readonly config: SuitesConfig;
  /**
   * The suites to run, by name (disabled ones included when named); the suites they depend on run too.
   * @default every enabled suite
   */
  readonly only?: readonly string[];
  /** Overrides `config.parallel`. */
  readonly parallel?: boolean;
  /** Overrides `config.max_workers`. */
  readonly maxWorkers?: number;
  /** Overrides `config.retries` and every suite's own `retries`. */
  readonly retries?: number;
  /** Overrides `config.fail_fast`. */
  readonly failFast?: boolean;
  /** The run's id (the evidence folder is often named after it). @default a new one */
  readonly id?: string;
  /** The run's evidence folder: created, and refused when it exists and is not empty. */
  readonly evidenceDir: string;
  /** The environment suites start with (each suite's `env` is added). */
  readonly env: Environment;
  /** Aborting it stops every running suite's process group; the run ends with `cancelled` suites. */
  readonly signal?: AbortSignal;
  /** Where each test's outcomes are kept across runs; without it, no flake rates. */
  readonly history?: SuiteHistory;
  /** A bound the suites' processes share with other work (a server's `concurrency`). */
  readonly processes?: Pick<Limiter, 'run'>;
  /** Told about each attempt and line as they happen (the CLI's live output). */
  readonly observer?: SuitesObserver;
  /** Milliseconds between SIGTERM and SIGKILL when a suite is stopped. @default 5 s */
  readonly killGraceMs?: number;
}

/** Callbacks for live progress; each is optional and must not throw. */
export interface SuitesObserver {
  /** `filtered`: the attempt runs only the tests that failed before. */
  attemptStarted?(suite: string, attempt: number, argv: readonly string[], filtered: boolean): void;
  line?(suite: string, stream: OutputStream, line: string): void;
  attemptFinished?(suite: string, result: AttemptResult): void;
  suiteFinished?(result: SuiteResult): void;
}

/** The settings a run used, after flags and defaults. */
export interface SuitesSettings {
  readonly parallel: boolean;
  readonly maxWorkers: number;
  readonly retries: number;
  readonly failFast: boolean;
}

/** A whole run of suites. */
export interface SuitesRun {
  readonly id: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Milliseconds from the start of the run to its end. */
  readonly wallMs: number;
  /** The sum of the suites' own durations: what running them one after the other would take. */
  readonly sumMs: number;
  /** `sumMs / wallMs`. */
  readonly speedup: number;
  readonly settings: SuitesSettings;
  /** In the declared order, whatever the order they finished in. */
  readonly suites: readonly SuiteResult[];
  /** Tests over every suite, by final status. */
  readonly totals: TestCounts;
  /** 0 when every suite passed or was flaky, 1 otherwise. */
  readonly exitCode: 0 | 1;
  readonly evidenceDir: string;
  readonly history: SuitesHistoryReport | null;
}

/**
 * Runs the configured suites, at most `maxWorkers` at once (one after the other with `parallel: false`),
 * each when the suites it depends on have passed, each attempt in its own process group with its own
 * fresh output folder; retries failed suites (only their failed tests where the runner allows a filter);
 * writes the evidence folder through one writer; keeps every test's outcome in `history`. One suite
 * failing, crashing, hanging or missing its binary never stops the others, unless `failFast`.
 *
 * @throws {InvalidArgumentError} for a name in `only` that is not a suite, or when there is no suite.
 */
export async function runSuites(options: RunSuitesOptions): Promise<SuitesRun> {
  const names = selectSuites(options.config, options.only);
  const settings = settingsOf(options, names.length);
  const signal = options.signal ?? NEVER_ABORTED;
  const evidence = await EvidenceWriter.create(options.evidenceDir);
  const id = options.id ?? newRecordId('suites');
  const started = new Date();
  const startedMs = performance.now();

  // Fail-fast and the caller's cancel both stop what runs and what waits.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  let failFastCause: string | undefined;

  const limiter = new Limiter({ concurrency: settings.maxWorkers });
  const results = new Map<string, Promise<SuiteResult>>();
  // Called before the suite's slot is released, so a fail-fast stops the next suite before it starts.
  const noteFailure = (result: SuiteResult): SuiteResult => {
    if (settings.failFast && !suitePassed(result.status) && failFastCause === undefined && !signal.aborted) {
      failFastCause = `${result.name} ${result.status.replace('_', ' ')}`;
      stop.abort(new Error(`fail_fast after ${failFastCause}`));
    }
    return result;
  };
  const finished = (result: SuiteResult): SuiteResult => {
    options.observer?.suiteFinished?.(result);
    return result;
  };

  const runOne = async (name: string, index: number): Promise<SuiteResult> => {
    const config = options.config.run[name]!;
    const dependencies = await Promise.all(
      (config.depends_on ?? []).map((dependency) => results.get(dependency)!),
    );
    const blocker = dependencies.find((dependency) => !suitePassed(dependency.status));
    if (blocker !== undefined) {
      return finished(notRun(name, 'skipped', `depends on ${blocker.name}, which ended ${blocker.status}`));
    }
    try {
      return finished(
        await limiter.run(
          async (slotSignal) =>
            noteFailure(
              await runSuite(name, config, options.retries ?? config.retries ?? settings.retries, {
                ...options,
                evidence,
                signal: slotSignal,
                cause: () =>
                  failFastCause === undefined || signal.aborted
                    ? 'cancelled'
                    : `stopped by fail_fast after ${failFastCause}`,
              }),
            ),
          { signal: stop.signal, priority: -index },
        ),
      );
    } catch {
      // Taken out of the queue before it started.
      return finished(
        signal.aborted
          ? notRun(name, 'cancelled', 'cancelled before it started')
          : notRun(name, 'skipped', `not started: fail_fast after ${failFastCause ?? 'a failure'}`),
      );
    }
  };
  // Declared order: a suite is registered before any suite that depends on it starts waiting.
  for (const name of topological(names, options.config)) results.set(name, runOne(name, names.indexOf(name)));
  let suites: SuiteResult[];
  try {
    suites = await Promise.all(names.map((name) => results.get(name)!));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }

  const finishedAt = new Date();
  const wallMs = Math.max(1, Math.round(performance.now() - startedMs));
  const sumMs = suites.reduce((sum, suite) => sum + suite.durationMs, 0);
  const totals = countTests(suites.flatMap((suite) => suite.tests));
  const exitCode = suites.every((suite) => suitePassed(suite.status)) ? 0 : 1;
  // A history that cannot be written must not cost the evidence: it is written first, the error after.
  let history: SuitesHistoryReport | null = null;
  let historyError: Error | undefined;
  try {
    history =
      options.history === undefined
        ? null
        : historyOf(options.history, {
            id,
            startedAt: started.toISOString(),
            finishedAt: finishedAt.toISOString(),
            exitCode,
            suites,
            keepRuns: options.config.history_runs,
          });
  } catch (error) {
    historyError = error instanceof Error ? error : new Error(String(error));
  }
  const run: SuitesRun = {
    id,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallMs,
    sumMs,
    speedup: Math.round((sumMs / wallMs) * 100) / 100,
    settings,
    suites,
    totals,
    exitCode,
    evidenceDir: options.evidenceDir,
    history,
  };
  await evidence.finish({
    id,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    settings,
    suites,
    exitCode,
    ...(history === null ? {} : { history }),
  });
  if (historyError !== undefined) throw historyError;
  return run;
}

interface SuiteContext extends RunSuitesOptions {
  readonly evidence: EvidenceWriter;
  readonly signal: AbortSignal;
  /** Why the run stops, once `signal` aborted: `cancelled`, or the fail-fast that stopped it. */
  readonly cause: () => string;
}

/** Every attempt of one suite, then its result. */
async function runSuite(
  name: string,
  config: SuiteConfig,
  retries: number,
  context: SuiteContext,
): Promise<SuiteResult> {
  const attempts: AttemptResult[] = [];
  let argv: readonly string[] = config.command;
  let filtered = false;
  for (let attempt = 1; attempt <= retries + 1 && !context.signal.aborted; attempt++) {
    const { outDir, relativeDir } = context.evidence.attemptDir(name, attempt);
    context.observer?.attemptStarted?.(name, attempt, argv, filtered);
    const plan: AttemptPlan = {
      suite: name,
      attempt,
      config,
      argv,
      filtered,
      outDir,
      dir: relativeDir,
      env: context.env,
      signal: context.signal,
      onLine: (stream: OutputStream, line: string): void => {
        context.evidence.line(name, attempt, stream, line);
        context.observer?.line?.(name, stream, line);
      },
      ...(context.killGraceMs === undefined ? {} : { killGraceMs: context.killGraceMs }),
    };
    const run = await (context.processes === undefined
      ? runAttempt(plan)
      : context.processes.run(() => runAttempt(plan), { signal: context.signal }));
    const result = run.result.status === 'cancelled' ? { ...run.result, error: context.cause() } : run.result;
    await context.evidence.attemptFinished(name, result, run.reportPath);
    attempts.push(result);
    context.observer?.attemptFinished?.(name, result);
    if (!retryable(result.status)) break;
    // The next attempt: only the tests still failing, where the runner can be told so.
    const failing = stillFailing(attempts);
    const next =
      result.status === 'failed' && config.report !== undefined && failing.length > 0
        ? retryCommand(config.command, failing, config.report.format)
        : { argv: [...config.command], filtered: false };
    argv = next.argv;
    filtered = next.filtered;
  }
  const tests = mergeTests(attempts);
  const { status, error } =
    attempts.length === 0
      ? { status: 'cancelled' as const, error: context.cause() }
      : suiteStatus(attempts, tests);
  const first = attempts[0];
  const last = attempts.at(-1);
  return {
    name,
    status,
    error,
    attempts,
    tests,
    // Unknown (not zero) when no attempt's report was read: a crash counts no tests.
    counts:
      config.report !== undefined &&
      attempts.some((one) => one.tests.length > 0 || one.status === 'passed' || one.status === 'failed')
        ? countTests(tests)
        : null,
    durationMs:
      first === undefined || last === undefined
        ? 0
        : Math.round(Date.parse(last.startedAt) - Date.parse(first.startedAt) + last.durationMs),
    startedAt: first?.startedAt ?? null,
  };
}

/** The tests that failed and have not passed since, each as its latest attempt reported it. */
function stillFailing(attempts: readonly AttemptResult[]): TestCase[] {
  const failing = new Set(
    mergeTests(attempts)
      .filter((test) => test.status === 'failed')
      .map((test) => test.id),
  );
  const latest = new Map<string, TestCase>();
  for (const attempt of attempts) {
    for (const test of attempt.tests)
      if (failing.has(test.id) && test.outcome === 'failed') latest.set(test.id, test);
  }
  return [...latest.values()];
}

function notRun(name: string, status: SuiteStatus, error: string): SuiteResult {
  return { name, status, error, attempts: [], tests: [], counts: null, durationMs: 0, startedAt: null };
}

/** The suites to run, in the declared order: `only` and what they depend on, or every enabled suite. */
function selectSuites(config: SuitesConfig, only: readonly string[] | undefined): string[] {
  const declared = Object.keys(config.run);
  if (declared.length === 0) {
    throw new InvalidArgumentError(
      'no suites configured: add them under suites.run in flotilla.config.yaml (see docs/suites.md)',
    );
  }
  if (only === undefined || only.length === 0) {
    const enabled = declared.filter((name) => config.run[name]!.enabled);
    if (enabled.length === 0)
      throw new InvalidArgumentError('every suite is disabled (enabled: false): name one to run it');
    return withDependencies(enabled, config, declared);
  }
  const unknown = only.filter((name) => !Object.hasOwn(config.run, name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown suite${unknown.length === 1 ? '' : 's'} ${unknown.map((name) => `"${name}"`).join(', ')} (expected one of: ${declared.join(', ')})`,
    );
  }
  return withDependencies(only, config, declared);
}

function withDependencies(
  names: readonly string[],
  config: SuitesConfig,
  declared: readonly string[],
): string[] {
  const wanted = new Set<string>();
  const add = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dependency of config.run[name]?.depends_on ?? []) add(dependency);
  };
  names.forEach(add);
  return declared.filter((name) => wanted.has(name));
}

/** `names` ordered so that every suite comes after those it depends on (declared order otherwise). */
function topological(names: readonly string[], config: SuitesConfig): string[] {
  const ordered: string[] = [];
  const placed = new Set<string>();
  const place = (name: string): void => {
    if (placed.has(name)) return;
    placed.add(name);
    for (const dependency of config.run[name]?.depends_on ?? []) place(dependency);
    ordered.push(name);
  };
  names.forEach(place);
  return ordered;
}

function settingsOf(options: RunSuitesOptions, suiteCount: number): SuitesSettings {
  const parallel = options.parallel ?? options.config.parallel;
  const maxWorkers = parallel
    ? (options.maxWorkers ?? options.config.max_workers ?? Math.min(suiteCount, availableParallelism()))
    : 1;
  return {
    parallel,
    maxWorkers: Math.max(1, maxWorkers),
    retries: options.retries ?? options.config.retries,
    failFast: options.failFast ?? options.config.fail_fast,
  };
}
