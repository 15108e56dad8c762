import type { CliAgentProfile } from '../config/index.js';
import type { OutputStream } from '../events/index.js';
import { runProcess, type ProcessResult } from '../exec/index.js';
import { createOutputParser, MAX_JSON_LINE_BYTES } from './output-parsers.js';
import { RateLimitDetector } from './rate-limit.js';
import { agentEnvironment, substituteArgv } from './substitute.js';
import type { AgentRequest, AgentResult, AgentStatus, ParsedOutput, RunAgentOptions } from './types.js';
import { idleTimeoutOf, timeoutOf } from './timeout.js';

/**
 * Runs a command line agent once:
 * 1. builds its argv (`{prompt}`, `{job_id}`, `{workspace}` substituted inside items, no shell) and its
 *    environment (process env, job env, then the profile's `env` with `${VAR}` expanded);
 * 2. runs it in `request.workspace` with `runProcess` (its own process group; timeout, idle timeout and
 *    cancel stop the whole group), the prompt on stdin when the profile says `stdin: true`;
 * 3. reads its stdout in the profile's `output` format and watches both streams for rate-limit patterns.
 *
 * @throws {AgentError} when the profile cannot run (see `substituteArgv`, `agentEnvironment`).
 * @throws {SpawnError} when the program cannot be started; the signal's reason when it is already aborted.
 */
export async function runCliAgent(
  profile: CliAgentProfile,
  request: AgentRequest,
  options: RunAgentOptions = {},
): Promise<AgentResult> {
  // 1. argv and environment.
  const argv = substituteArgv(profile.command, {
    prompt: request.prompt,
    job_id: request.jobId,
    workspace: request.workspace,
  });
  const env = agentEnvironment(options.env ?? process.env, request.env, profile.env);
  const timeoutMs = timeoutOf(profile, request);
  const idleTimeoutMs = idleTimeoutOf(profile, request);

  // 2. The run.
  const parser = createOutputParser(profile.output);
  const detector = new RateLimitDetector(profile.retry);
  const structured = profile.output !== undefined && profile.output !== 'text';
  const onLine = (stream: OutputStream, line: string): void => {
    if (stream === 'stdout') parser.push(line);
    detector.push(line);
    options.onLine?.(stream, line);
  };
  const run = await runProcess(argv, {
    cwd: request.workspace,
    env,
    timeoutMs,
    idleTimeoutMs,
    onLine,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(profile.stdin === true ? { stdin: request.prompt } : {}),
    ...(structured ? { maxLineBytes: MAX_JSON_LINE_BYTES } : {}),
  });

  // 3. The result.
  const parsed = parser.finish();
  const status = statusOf(run, parsed);
  const error =
    status === 'succeeded' ? undefined : describeFailure(run, parsed, { timeoutMs, idleTimeoutMs });
  return {
    status,
    exitCode: run.exitCode,
    signal: run.signal,
    durationMs: run.durationMs,
    tail: run.tail,
    output: parsed.output,
    ...(parsed.usage === undefined ? {} : { usage: parsed.usage }),
    rateLimited: status === 'failed' && detector.rateLimited(run.exitCode),
    ...(error === undefined ? {} : { error }),
  };
}

function statusOf(run: ProcessResult, parsed: ParsedOutput): AgentStatus {
  if (run.cancelled) return 'cancelled';
  if (run.timedOut) return 'timed_out';
  if (run.stalled) return 'stalled';
  return run.exitCode === 0 && parsed.failed !== true ? 'succeeded' : 'failed';
}

function describeFailure(
  run: ProcessResult,
  parsed: ParsedOutput,
  { timeoutMs, idleTimeoutMs }: { readonly timeoutMs: number; readonly idleTimeoutMs: number },
): string {
  if (run.cancelled) return 'cancelled';
  if (run.timedOut) return `timed out after ${timeoutMs} ms`;
  if (run.stalled) return `no output for ${idleTimeoutMs / 1000} s (idle timeout)`;
  const ending =
    run.exitCode === null ? `was killed by ${run.signal ?? 'a signal'}` : `exited with code ${run.exitCode}`;
  if (parsed.error === undefined) return `the agent ${ending}`;
  return run.exitCode === 0 ? parsed.error : `the agent ${ending}: ${parsed.error}`;
}
