import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ResolvedConfig } from '../config/index.js';
import { InvalidArgumentError, MAX_TIMER_MS, TimeoutError } from '../core/index.js';
import type { RunStatus } from '../events/index.js';
import {
  flag,
  literalOr,
  renderValue,
  seconds,
  stepFields,
  StepError,
  stringList,
  text,
  type ExpressionScope,
  type StepBase,
  type StepType,
} from '../workflow/index.js';
import { CHECK_IDS } from './checks/index.js';
import { MAX_WORKERS } from './crawl-options.js';
import type { QaRunner } from './qa-runner.js';
import { parseQaSpec, QA_SPEC_FIELDS, type QaSpec } from './qa-spec.js';
import { SEVERITIES, type QaReport } from './report.js';

/**
 * `type: qa` in a workflow: a QA crawl (docs/qa.md), with the fields of `POST /v1/qa`. Each may be
 * an expression (`urls: "{{ inputs.url }}"`); what it gives is checked when the step runs.
 */
export interface QaStep extends StepBase {
  readonly type: 'qa';
  /** A start URL, a list of them, or one expression that gives either. */
  readonly urls: string | readonly string[];
  readonly workers?: number | string;
  readonly max_pages?: number | string;
  readonly max_depth?: number | string;
  readonly rate_limit?: number | string;
  readonly allow_origins?: readonly string[] | string;
  readonly keep_params?: readonly string[] | string;
  readonly ignore_params?: readonly string[] | string;
  readonly ignore_robots?: boolean | string;
  readonly sitemap?: boolean | string;
  readonly fail_on?: string;
  /** The checks (all when absent) and the ones to leave out, by id. */
  readonly checks?: readonly string[] | string;
  readonly skip?: readonly string[] | string;
  /** Performance budgets: `{ lcp: 2500, cls: 0.1, load: 5000 }`. */
  readonly budgets?: Readonly<Record<string, number | string>> | string;
  readonly external_links?: boolean | string;
  readonly ignore_console?: readonly string[] | string;
  readonly screenshot_on?: string;
  /** Seconds the crawl may take, from its turn (not the wait for one): then it stops and the step is `timed_out`. */
  readonly timeout_s?: number;
}

/** What a `qa` step gives as `steps.ID.output`. */
export interface QaStepOutput {
  /** The QA run's id: `GET /v1/runs/ID`, `GET /v1/runs/ID/report`, `flotilla qa --resume ID`. */
  readonly run_id: string;
  /** The QA run's status: `succeeded`, `failed` (findings at `fail_on`, or it could not crawl) or `interrupted`. */
  readonly status: RunStatus;
  /** The report's summary (docs/qa.md); `null` when it could not crawl at all (no browser). */
  readonly summary: QaReport['summary'] | null;
  /** The report's file, `<home>/qa/RUN_ID/report.json`; `null` when there is no report. */
  readonly report: string | null;
}

/** What the qa step type is made with. */
export interface QaStepDeps {
  /** `home` (where reports go) and `qa` (the defaults of the fields left out). */
  readonly config: Pick<ResolvedConfig, 'home' | 'qa'>;
  /** The runtime's runs: its bound on crawls at once, its shared politeness. */
  readonly runner: QaRunner;
}

/** An integer from `min` (to `max`), every check with the same message. */
function whole(min: number, max = Infinity) {
  const message = `expected an integer ${max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
}

/** The QA run status a report's status comes from. */
const RUN_STATUS_OF: Record<QaReport['summary']['status'], RunStatus> = {
  passed: 'succeeded',
  failed: 'failed',
  interrupted: 'interrupted',
};

/**
 * The `qa` step type: crawls with the runtime's `QaRunner` (its turn among `qa.max_runs`, its shared
 * politeness), stopped by the step's cancel (the QA run ends `cancelled`), a timeout or a shutdown
 * (`interrupted`). Its output is the run's summary and the path of its report, written into the home;
 * it fails when the crawl found something at `fail_on` or worse, keeping the output (so
 * `continue_on_error` and later steps can read it).
 */
export function qaStepType({ config, runner }: QaStepDeps): StepType<QaStep> {
  return {
    type: 'qa',
    fields: stepFields({
      urls: z.union([stringList(true), text(true)], {
        error: 'expected a start URL, a non-empty list of them, or one "{{ expression }}" giving either',
      }),
      workers: literalOr(whole(1, MAX_WORKERS), `an integer from 1 to ${MAX_WORKERS}`).optional(),
      max_pages: literalOr(whole(1), 'an integer ≥ 1').optional(),
      max_depth: literalOr(whole(0), 'an integer ≥ 0').optional(),
      rate_limit: literalOr(
        z.number().min(0, 'expected navigations per second ≥ 0'),
        'navigations per second ≥ 0',
      ).optional(),
      allow_origins: literalOr(stringList(), 'a list of origins, hosts or *.hosts').optional(),
      keep_params: literalOr(stringList(), 'a list of query parameter names').optional(),
      ignore_params: literalOr(stringList(), 'a list of query parameter names').optional(),
      ignore_robots: literalOr(flag(), 'true or false').optional(),
      sitemap: literalOr(flag(), 'true or false').optional(),
      fail_on: literalOr(z.enum(SEVERITIES), `one of ${SEVERITIES.join(', ')}`).optional(),
      checks: literalOr(stringList(), `a list of checks (${CHECK_IDS.join(', ')})`).optional(),
      skip: literalOr(stringList(), `a list of checks (${CHECK_IDS.join(', ')})`).optional(),
      budgets: literalOr(
        z.record(z.string(), z.union([z.number(), z.string()])),
        'a mapping of budgets (load, lcp, cls)',
      ).optional(),
      external_links: literalOr(flag(), 'true or false').optional(),
      ignore_console: literalOr(stringList(), 'a list of regular expressions').optional(),
      screenshot_on: literalOr(
        z.enum([...SEVERITIES, 'none']),
        `one of ${SEVERITIES.join(', ')}, none`,
      ).optional(),
      timeout_s: seconds().optional(),
    }),
    async execute(step, context) {
      const spec = specOf(step, context.scope, config.qa);
      const limitMs = (step.timeout_s ?? 0) * 1000;
      const deadline = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const handle = runner.start(spec, {
        signal: AbortSignal.any([context.signal, deadline.signal]),
        // The wait for a turn is not the step's time: its timeout starts with the crawl.
        onTurn: () => {
          if (limitMs <= 0 || limitMs > MAX_TIMER_MS) return;
          timer = setTimeout(
            () =>
              deadline.abort(new TimeoutError(`${step.id}: timed out after ${step.timeout_s} s`, limitMs)),
            limitMs,
          );
        },
      });
      let report: QaReport;
      try {
        report = await handle.done;
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        const output: QaStepOutput = { run_id: handle.id, status: 'failed', summary: null, report: null };
        const message = error instanceof Error ? error.message : String(error);
        if (deadline.signal.aborted) {
          throw new StepError(`${step.id}: timed out after ${step.timeout_s} s, before the crawl began`, {
            status: 'timed_out',
            output: { ...output, status: 'interrupted' },
          });
        }
        throw new StepError(`${step.id}: QA run ${handle.id} could not crawl: ${message}`, { output });
      } finally {
        clearTimeout(timer);
      }
      if (context.signal.aborted) throw context.signal.reason;
      // Always in the home: a workflow sent over HTTP must not choose where the server writes.
      const file = join(config.home, 'qa', handle.id, 'report.json');
      mkdirSync(join(config.home, 'qa', handle.id), { recursive: true });
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      const { summary } = report;
      const output: QaStepOutput = {
        run_id: handle.id,
        status: RUN_STATUS_OF[summary.status],
        summary,
        report: file,
      };
      const tested = `${summary.pages_tested} page${summary.pages_tested === 1 ? '' : 's'} tested`;
      if (summary.status === 'interrupted') {
        if (deadline.signal.aborted) {
          throw new StepError(
            `${step.id}: timed out after ${step.timeout_s} s, ${tested} (report: ${file})`,
            {
              status: 'timed_out',
              output,
            },
          );
        }
        // Another process took the run over (its lease was lost).
        throw new StepError(`${step.id}: the crawl was stopped, ${tested} (report: ${file})`, { output });
      }
      if (summary.status === 'failed') {
        const counts = SEVERITIES.filter((severity) => summary.findings_by_severity[severity] > 0)
          .map((severity) => `${summary.findings_by_severity[severity]} ${severity}`)
          .join(', ');
        throw new StepError(
          `${step.id}: findings at ${spec.fail_on} or worse (${counts}), ${tested} (report: ${file})`,
          { output },
        );
      }
      return output;
    },
  };
}

/**
 * The crawl a step asks for, its expressions evaluated and the configuration's `qa:` filling what it
 * leaves out; a single URL reads as a list of one.
 * @throws StepError naming the field (`ID.urls.0: expected an http or https URL`).
 */
function specOf(step: QaStep, scope: ExpressionScope, defaults: QaStepDeps['config']['qa']): QaSpec {
  const given: Record<string, unknown> = {};
  for (const field of QA_SPEC_FIELDS) {
    const value = step[field];
    if (value !== undefined) given[field] = renderValue(value, scope);
  }
  if (typeof given['urls'] === 'string') given['urls'] = [given['urls']];
  try {
    return parseQaSpec(given, defaults, step.id);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new StepError(error.message, { cause: error });
    throw error;
  }
}
