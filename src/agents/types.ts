import type { Environment } from '../config/index.js';
import type { OutputStream } from '../events/index.js';

/** One run of an agent: what to ask, where, and for how long. */
export interface AgentRequest {
  /** The job's id, substituted for `{job_id}`. */
  readonly jobId: string;
  /** The task, substituted for `{prompt}` (a whole argv item, never through a shell) or written to stdin. */
  readonly prompt: string;
  /** The working directory of a CLI agent, substituted for `{workspace}`. */
  readonly workspace: string;
  /**
   * Milliseconds the run may take; `0` means no limit. Overrides the profile's `timeout_s`.
   * @default the profile's `timeout_s` × 1000, or no limit
   */
  readonly timeoutMs?: number;
  /**
   * Milliseconds a CLI agent may go without output (a line or part of one, on either stream), from its
   * start and from each output, before it is stopped as `stalled`; `0` means no limit. Overrides the
   * profile's `idle_timeout_s`. OpenAI-compatible agents have no idle timeout.
   * @default the profile's `idle_timeout_s` × 1000, or no limit
   */
  readonly idleTimeoutMs?: number;
  /** Extra environment variables of this job, under the profile's `env`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Options of `runAgent`. */
export interface RunAgentOptions {
  /** Aborting it stops the run (the whole process group of a CLI agent); the result is `cancelled`. */
  readonly signal?: AbortSignal;
  /**
   * Called for each line of output as it arrives: both streams of a CLI agent, the answer of an
   * OpenAI-compatible one (as `stdout`). If it throws, the run is stopped and `runAgent` rejects.
   */
  readonly onLine?: (stream: OutputStream, line: string) => void;
  /**
   * The environment of the process the agent inherits, and that `${VAR}` in the profile's `env` and its
   * `api_key_env` are read from.
   * @default process.env
   */
  readonly env?: Environment;
}

/** How an agent run ended; `stalled`: it wrote nothing for its idle timeout and was stopped. */
export type AgentStatus = 'succeeded' | 'failed' | 'timed_out' | 'stalled' | 'cancelled';

/** Tokens and cost of a run, as the agent reported them. */
export interface AgentUsage {
  /** Input (prompt) tokens, cached ones included when the provider counts them there (Codex does). */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens read from the provider's prompt cache. */
  readonly cacheReadTokens?: number;
  /** Input tokens written to the provider's prompt cache. */
  readonly cacheWriteTokens?: number;
  /** The cost the agent reported, in US dollars. */
  readonly costUsd?: number;
}

/** The result of one agent run. */
export interface AgentResult {
  readonly status: AgentStatus;
  /** The exit code of a CLI agent; `null` when a signal ended it, and always for an HTTP agent. */
  readonly exitCode: number | null;
  /** The signal that ended a CLI agent, or `null`. */
  readonly signal: NodeJS.Signals | null;
  /** Milliseconds the run took, on the monotonic clock. */
  readonly durationMs: number;
  /** The last lines of output (both streams), oldest first. */
  readonly tail: string[];
  /**
   * The final answer: the standard output of a `text` agent (its last `MAX_OUTPUT_BYTES`), the result
   * message of a structured one, the message content of an OpenAI-compatible one.
   */
  readonly output: string;
  /** Tokens and cost, when the agent's output format reports them. */
  readonly usage?: AgentUsage;
  /** Whether a failed run failed on the provider's rate limit, so trying again later may succeed. */
  readonly rateLimited: boolean;
  /** The HTTP status of an OpenAI-compatible agent's response. */
  readonly httpStatus?: number;
  /** How long the endpoint asked to wait before trying again (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
  /** Why the run did not succeed, for people. */
  readonly error?: string;
}

/** What an agent's standard output said, once it ended. */
export interface ParsedOutput {
  /** The final answer. */
  readonly output: string;
  readonly usage?: AgentUsage;
  /** An error the agent reported in its output, used to say why a run failed. */
  readonly error?: string;
  /** Whether the output says the run failed, so a run that exits 0 fails all the same. */
  readonly failed?: boolean;
}

/** Reads an agent's standard output line by line, in one of the `AgentOutputFormat`s. */
export interface OutputParser {
  /** Reads one line of standard output, without its line ending. Never throws. */
  push(line: string): void;
  /** What the lines read so far said. */
  finish(): ParsedOutput;
}
