import { join } from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { newRecordId } from '../store/index.js';
import {
  count,
  flag,
  stepFields,
  stringList,
  StepError,
  type StepBase,
  type StepType,
} from '../workflow/index.js';
import type { SuiteHistory } from './history.js';
import { runSuites, type SuitesRun } from './run-suites.js';

/** `type: suites` in a workflow: the configured suites (or some of them), as `flotilla suites` runs them. */
export interface SuitesStep extends StepBase {
  readonly type: 'suites';
  /** Names of suites of the configuration; absent: every enabled suite. */
  readonly suites?: readonly string[];
  readonly parallel?: boolean;
  readonly max_workers?: number;
  readonly retries?: number;
  readonly fail_fast?: boolean;
}

/** What a `suites` step gives as `steps.ID.output`. */
export interface SuitesStepOutput {
  readonly run_id: string;
  readonly exit_code: 0 | 1;
  readonly evidence: string;
  readonly wall_ms: number;
  readonly speedup: number;
  readonly totals: SuitesRun['totals'];
  readonly suites: readonly {
    readonly name: string;
    readonly status: string;
    readonly error: string | null;
    readonly attempts: number;
    readonly duration_ms: number;
    readonly counts: SuitesRun['suites'][number]['counts'];
  }[];
}

/** What the suites step needs from the composition root. */
export interface SuitesStepDeps {
  readonly config: ResolvedConfig;
  readonly history?: SuiteHistory;
}

/**
 * The `suites` step type: runs the configuration's suites under the runtime's process bound, with the
 * step's cancel and timeout; its output is the run's summary, and it fails when a suite did not pass
 * (the output is kept, so `continue_on_error` and later steps can read it).
 */
export function suitesStepType({ config, history }: SuitesStepDeps): StepType<SuitesStep, 'processes'> {
  return {
    type: 'suites',
    fields: stepFields({
      suites: stringList(true).optional(),
      parallel: flag().optional(),
      max_workers: count(1).optional(),
      retries: count(0).optional(),
      fail_fast: flag().optional(),
    }),
    needs: ['processes'],
    async execute(step, context, { processes }) {
      const id = newRecordId('suites');
      // Always in the home: a workflow sent over HTTP must not choose where the server writes.
      const evidenceDir = join(config.home, 'suites', id);
      let run: SuitesRun;
      try {
        run = await runSuites({
          config: config.suites,
          id,
          ...(step.suites === undefined ? {} : { only: step.suites }),
          ...(step.parallel === undefined ? {} : { parallel: step.parallel }),
          ...(step.max_workers === undefined ? {} : { maxWorkers: step.max_workers }),
          ...(step.retries === undefined ? {} : { retries: step.retries }),
          ...(step.fail_fast === undefined ? {} : { failFast: step.fail_fast }),
          evidenceDir,
          env: context.env,
          signal: context.signal,
          processes,
          ...(history === undefined ? {} : { history }),
          observer: { line: (suite, stream, line) => context.log(stream, `[${suite}] ${line}`) },
        });
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        throw new StepError(`${step.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (context.signal.aborted) throw context.signal.reason;
      const output = outputOf(run);
      if (run.exitCode !== 0) {
        const bad = run.suites.filter((suite) => suite.status !== 'passed' && suite.status !== 'flaky');
        const what = bad.map((suite) => `${suite.name} ${suite.status.replace('_', ' ')}`).join(', ');
        throw new StepError(`${step.id}: ${what} (evidence: ${evidenceDir})`, { output });
      }
      return output;
    },
  };
}

function outputOf(run: SuitesRun): SuitesStepOutput {
  return {
    run_id: run.id,
    exit_code: run.exitCode,
    evidence: run.evidenceDir,
    wall_ms: run.wallMs,
    speedup: run.speedup,
    totals: run.totals,
    suites: run.suites.map((suite) => ({
      name: suite.name,
      status: suite.status,
      error: suite.error,
      attempts: suite.attempts.length,
      duration_ms: suite.durationMs,
      counts: suite.counts,
    })),
  };
}
