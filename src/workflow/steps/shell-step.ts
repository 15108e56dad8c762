import { resolve } from 'node:path';
import { MAX_TIMER_MS } from '../../core/index.js';
import { runProcess } from '../../exec/index.js';
import type { ShellStep } from '../format/index.js';
import { renderString, shellQuote } from '../expressions/index.js';
import { runMarker, StepError, type StepContext, type StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** The most standard output a shell step keeps as its `output` (the log keeps every line). */
export const MAX_SHELL_OUTPUT_BYTES = 16 * 1024 * 1024;

/** What a shell step's `output` holds. */
export interface ShellOutput {
  readonly exit_code: number | null;
  readonly stdout: string;
  /** Standard error, kept like standard output (both are also logged line by line). */
  readonly stderr: string;
  readonly lines?: readonly string[];
  readonly data?: unknown;
}

/**
 * `shell`: one process, never through a shell unless `run` is a string — then `sh -c` runs it, and every
 * value an expression substitutes into it is shell-quoted first, so no value can inject a command.
 * Output lines are logged as they come; the step fails on a non-zero exit, on its timeout, or when
 * `output_format: json` meets output that is not JSON.
 */
export const shellStep: StepType<ShellStep, 'processes'> = {
  ...builtinSchema('shell'),
  needs: ['processes'],
  async execute(step, context, { processes }) {
    const argv =
      typeof step.run === 'string'
        ? ['sh', '-c', renderString(step.run, context.scope, { quote: shellQuote })]
        : step.run.map((arg) => renderString(arg, context.scope));
    const env: Record<string, string | undefined> = { ...context.env, ...runMarker(context.runId) };
    env['FLOTILLA_ITEM_ID'] = context.itemId;
    // spec-kit's name for the workflow file's folder (`context.workflow_dir`); unset without a file.
    if (context.workflowDir !== '') env['SPECKIT_WORKFLOW_DIR'] = context.workflowDir;
    for (const [name, value] of Object.entries(step.env ?? {}))
      env[name] = renderString(value, context.scope);
    const cwd =
      step.cwd === undefined
        ? context.baseDir
        : resolve(context.baseDir, renderString(step.cwd, context.scope));
    const stdout = collectOutput(context);
    // Longer than a timer can wait means no limit, as for agents (`timeoutOf`).
    const limitS = step.timeout_s ?? step.timeout;
    const limitMs = (limitS ?? 0) * 1000;
    const timeoutMs = limitMs > MAX_TIMER_MS ? 0 : limitMs;
    // The wait for a slot is not the step's time: its timeout starts with the process.
    const result = await processes.run(
      () => runProcess(argv, { cwd, env, timeoutMs, signal: context.signal, onLine: stdout.onLine }),
      { signal: context.signal },
    );
    if (result.cancelled) throw context.signal.reason;
    const text = stdout.text('stdout');
    const output: ShellOutput = {
      exit_code: result.exitCode,
      stdout: text,
      stderr: stdout.text('stderr'),
      ...formatted(step, text),
    };
    if (result.timedOut) {
      throw new StepError(`${step.id}: timed out after ${limitS} s`, { status: 'timed_out', output });
    }
    if (result.exitCode !== 0) {
      const how =
        result.exitCode === null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
      const last = result.tail.at(-1);
      throw new StepError(`${step.id}: ${argv[0]} ${how}${last ? `: ${last}` : ''}`, { output });
    }
    if (step.output_format === 'json' && output.data === undefined) {
      throw new StepError(`${step.id}: output_format is json, but the output is not JSON`, { output });
    }
    return output;
  },
};

function formatted(step: ShellStep, text: string): { lines?: string[]; data?: unknown } {
  if (step.output_format === 'lines') return { lines: text === '' ? [] : text.split('\n') };
  if (step.output_format === 'json') {
    try {
      return { data: JSON.parse(text) as unknown };
    } catch {
      return {};
    }
  }
  return {};
}

/**
 * Logs every line and keeps standard output and standard error, each up to `MAX_SHELL_OUTPUT_BYTES`:
 * more standard output fails the step (its output is the step's result), more standard error is cut.
 */
function collectOutput(context: StepContext): {
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  text: (stream: 'stdout' | 'stderr') => string;
} {
  const kept = { stdout: { lines: [] as string[], bytes: 0 }, stderr: { lines: [] as string[], bytes: 0 } };
  return {
    onLine(stream, line) {
      context.log(stream, line);
      const sink = kept[stream];
      sink.bytes += line.length + 1;
      if (sink.bytes <= MAX_SHELL_OUTPUT_BYTES) sink.lines.push(line);
    },
    text(stream) {
      const sink = kept[stream];
      if (stream === 'stdout' && sink.bytes > MAX_SHELL_OUTPUT_BYTES) {
        throw new StepError(`standard output is larger than ${MAX_SHELL_OUTPUT_BYTES} bytes`);
      }
      return sink.lines.join('\n');
    },
  };
}
