import { z } from 'zod';
import { FlotillaError, type ErrorCode } from '../core/index.js';
import { parseRequest, type AgentProfile, type ResolvedConfig } from '../config/index.js';
import { refusedJobEnv } from './job-env.js';

/** The codes a `JobRequestError` carries: a malformed request, or an agent or repository not configured. */
export type JobRequestErrorCode = Extract<
  ErrorCode,
  'E_INVALID_REQUEST' | 'E_AGENT_UNKNOWN' | 'E_REPO_UNKNOWN'
>;

/** A job request was refused: `field` names what was wrong. Nothing was created. */
export class JobRequestError extends FlotillaError {
  declare readonly code: JobRequestErrorCode;

  constructor(
    readonly field: string,
    /** What is wrong, without the field. */
    readonly reason: string,
    code: JobRequestErrorCode = 'E_INVALID_REQUEST',
  ) {
    super(code, `${field}: ${reason}`);
  }

  /**
   * The same error about the request at `prefix` of a larger body (`jobs[3]`): its field is then
   * `jobs[3].agent`, or `jobs[3]` for the request as a whole.
   */
  within(prefix: string): JobRequestError {
    const field = this.field === 'body' ? prefix : `${prefix}.${this.field}`;
    return new JobRequestError(field, this.reason, this.code);
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The body of `POST /v1/jobs` and the options of `flotilla exec` / `jobs submit` (docs/jobs.md). */
export const jobRequestSchema = z.strictObject({
  agent: z.string({ error: 'expected the name of an agent profile' }).min(1, 'expected a non-empty string'),
  prompt: z.string({ error: 'expected a string' }).min(1, 'expected a non-empty string'),
  repo: z.string({ error: 'expected the key of a configured repository' }).min(1).optional(),
  ref: z.string({ error: 'expected a branch, tag or commit' }).min(1).optional(),
  paths: z
    .array(
      z
        .string()
        .min(1)
        .refine(
          (path) => !path.startsWith('/') && !path.split('/').includes('..'),
          'expected a relative path inside the repository',
        ),
      { error: 'expected a list of directories' },
    )
    .optional(),
  timeout_s: z
    .number({ error: 'expected a number of seconds' })
    .positive('expected a number of seconds > 0')
    .optional(),
  /** Seconds the agent may go without output before the job is stopped as `stalled`; over the profile's. */
  idle_timeout_s: z
    .number({ error: 'expected a number of seconds' })
    .positive('expected a number of seconds > 0')
    .optional(),
  env: z
    .record(z.string().regex(ENV_NAME, 'expected environment variable names'), z.string(), {
      error: 'expected a mapping of names to strings',
    })
    .optional(),
  priority: z.number({ error: 'expected an integer' }).int('expected an integer').optional(),
  /**
   * `false` skips the repository's `verify` command for this job: a plan's leaf checks out a part of the
   * repository, where a whole repository's tests cannot pass; the plan verifies the merged result instead.
   */
  verify: z.boolean({ error: 'expected true or false' }).optional(),
  metadata: z.record(z.string(), z.unknown(), { error: 'expected a JSON object' }).optional(),
});

/** `input` as `schema` reads it, or a `JobRequestError` naming the first field that does not fit. */
export function parseJobInput<T>(schema: z.ZodType<T>, input: unknown): T {
  return parseRequest(schema, input, ({ field, message }) => new JobRequestError(field, message));
}

/**
 * Throws `JobRequestError` `E_AGENT_UNKNOWN` on `field` unless `name` is a configured agent profile;
 * `describe` says so, given the known profiles.
 */
export function assertAgentKnown(
  config: Pick<ResolvedConfig, 'agents'>,
  name: string,
  field: string,
  describe: (known: string) => string,
): void {
  if (Object.hasOwn(config.agents, name)) return;
  const known = Object.keys(config.agents).join(', ') || 'none configured';
  throw new JobRequestError(field, describe(known), 'E_AGENT_UNKNOWN');
}

/**
 * Throws `JobRequestError` on `env.NAME` unless the profile `agent` accepts every variable of `env`
 * from a request (its `env_allow`, never a name of `DENIED_JOB_ENV`).
 */
export function assertJobEnvAllowed(
  agent: string,
  profile: AgentProfile,
  env: Readonly<Record<string, string>> | undefined,
): void {
  const problem = refusedJobEnv(agent, profile, env);
  if (problem !== undefined) throw new JobRequestError(problem.field, problem.message);
}

/** A validated job request. */
export type JobRequest = z.output<typeof jobRequestSchema>;

/**
 * Validates a request against the schema and the configuration: the agent and the repository must be
 * configured ones, and the agent's profile must accept every variable of `env` (`assertJobEnvAllowed`).
 * Throws `JobRequestError` naming the first failing field.
 */
export function parseJobRequest(
  input: unknown,
  config: Pick<ResolvedConfig, 'agents' | 'repos'>,
): JobRequest {
  const request = parseJobInput(jobRequestSchema, input);
  assertAgentKnown(
    config,
    request.agent,
    'agent',
    (known) => `unknown agent "${request.agent}" (known: ${known})`,
  );
  assertJobEnvAllowed(request.agent, config.agents[request.agent]!, request.env);
  if (request.repo !== undefined && !Object.hasOwn(config.repos, request.repo)) {
    const known = Object.keys(config.repos).join(', ') || 'none configured';
    throw new JobRequestError(
      'repo',
      `unknown repository "${request.repo}" (allowed: ${known})`,
      'E_REPO_UNKNOWN',
    );
  }
  if (request.idle_timeout_s !== undefined && config.agents[request.agent]?.type === 'openai') {
    throw new JobRequestError(
      'idle_timeout_s',
      `agent "${request.agent}" is an OpenAI-compatible endpoint, which has no idle timeout (its answer is one response)`,
    );
  }
  if (request.repo === undefined && (request.ref !== undefined || request.paths !== undefined)) {
    throw new JobRequestError(request.ref === undefined ? 'paths' : 'ref', 'needs `repo`');
  }
  return request;
}
