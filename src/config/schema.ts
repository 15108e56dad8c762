import { z } from 'zod';
import { suitesConfigSchema } from './suites-schema.js';

/*
 * Every schema carries the phrase that completes "expected …" in an error, so a message reads
 * `server.port: expected an integer from 0 to 65535, got "http"` whatever check failed.
 */

/** An integer ≥ `min`. */
function count(min: number) {
  return z
    .number({ error: `expected an integer ≥ ${min}` })
    .int()
    .min(min);
}

/** A finite number > 0 (seconds, a rate). */
function positive(what: string) {
  return z.number({ error: `expected ${what} > 0` }).positive();
}

/** A string; `nonEmpty` refuses `""`. */
function text(nonEmpty = false) {
  return nonEmpty
    ? z.string({ error: 'expected a non-empty string' }).min(1)
    : z.string({ error: 'expected a string' });
}

/** A strict mapping: an unknown key is an error that lists the keys it could have been. */
function mapping<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown key (expected one of: ${known})` : 'expected a mapping',
  });
}

/** A top-level section: absent or empty (`server:` with nothing under it) means all defaults. */
function section<Schema extends z.ZodType<object>>(schema: Schema) {
  return z.preprocess(
    (value) => (value === null ? undefined : value),
    schema.prefault({} as z.input<Schema>),
  );
}

/** argv: a list of strings, never a shell line. */
const argv = z.array(text(), { error: 'expected a non-empty list of strings (an argv)' }).min(1);

/** The output formats an agent CLI may print; the job reads tokens and cost from the structured ones. */
export const AGENT_OUTPUT_FORMATS = ['text', 'claude-stream-json', 'codex-json'] as const;

/** When and how often a failed agent run is tried again. */
export const retrySchema = mapping({
  /** Exit codes that mean "try again" (e.g. 75, EX_TEMPFAIL). */
  on_exit: z
    .array(z.number({ error: 'expected an integer exit code' }).int(), {
      error: 'expected a list of exit codes',
    })
    .optional(),
  /** Substrings of the output that mean "try again" (e.g. "rate limit", "429"). */
  on_output: z.array(text(true), { error: 'expected a list of strings' }).optional(),
  /** How many attempts in all, the first included. */
  attempts: count(1).optional(),
  /** Seconds to wait before the next attempt. */
  backoff_s: z.number({ error: 'expected a number of seconds ≥ 0' }).min(0).optional(),
});

/** An entry of `env_allow`: a variable name, or a prefix of one followed by `*`. */
const ENV_ALLOW_ENTRY = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;

/** The keys every agent profile may have, whatever its type. */
const commonProfileShape = {
  /** Seconds a job of this agent may run (its wait in the queue not counted). */
  timeout_s: positive('a number of seconds').optional(),
  /** How many jobs of this agent may run at once, under the server's global concurrency. */
  concurrency: count(1).optional(),
  retry: retrySchema.optional(),
  /** Shown in `GET /v1/models` and `--help` listings. */
  description: text().optional(),
  /**
   * The environment variables a job request may set for this agent (`env` of `POST /v1/jobs`, `flotilla
   * jobs submit --env`): names, or a prefix followed by `*` (`MYAPP_*`), compared as written. The names
   * that change which code runs (`PATH`, `LD_*`, `NODE_OPTIONS`, `GIT_*`, … — see docs/configuration.md)
   * are refused even when listed here.
   * @default none: a request may set no variable
   */
  env_allow: z
    .array(
      z
        .string({ error: 'expected a variable name or a prefix followed by *' })
        .regex(ENV_ALLOW_ENTRY, 'expected a variable name or a prefix followed by * (MYAPP_*)'),
      { error: 'expected a list of variable names' },
    )
    .optional(),
};

/** An agent that is a command line program, run without a shell. */
export const cliAgentProfileSchema = mapping({
  type: z.literal('cli').default('cli'),
  /** argv; `{prompt}`, `{job_id}` and `{workspace}` are substituted in each item. */
  command: argv,
  /** Extra environment variables of the process. */
  env: z.record(z.string(), text(), { error: 'expected a mapping of names to strings' }).optional(),
  /**
   * How to read the program's output: `text` (plain lines, the default when absent),
   * `claude-stream-json` (`claude -p --output-format stream-json`), `codex-json` (`codex exec --json`).
   */
  output: z
    .enum(AGENT_OUTPUT_FORMATS, { error: `expected one of: ${AGENT_OUTPUT_FORMATS.join(', ')}` })
    .optional(),
  /** Write the prompt to the program's standard input instead of (or as well as) `{prompt}` in argv. */
  stdin: z.boolean({ error: 'expected true or false' }).optional(),
  /**
   * Seconds the program may go without output (stdout or stderr) before its job is stopped as `stalled`,
   * its process tree killed; counted from its start and again from each output. No limit when absent.
   */
  idle_timeout_s: positive('a number of seconds').optional(),
  ...commonProfileShape,
});

/** An agent that is an OpenAI-compatible chat completions endpoint. */
export const openAiAgentProfileSchema = mapping({
  type: z.literal('openai'),
  /** The API's base URL, e.g. `http://127.0.0.1:11434/v1`. */
  base_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  model: text(true),
  /** The environment variable that holds the API key (its value is read when a job runs, not here). */
  api_key_env: z
    .string({ error: 'expected an environment variable name' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional(),
  ...commonProfileShape,
});

/** An agent profile: `type: cli` (the default when `type` is absent) or `type: openai`. */
export const agentProfileSchema = z.discriminatedUnion(
  'type',
  [cliAgentProfileSchema, openAiAgentProfileSchema],
  {
    error: (issue) => (issue.code === 'invalid_union' ? 'expected "cli" or "openai"' : 'expected a mapping'),
  },
);

/** A repository the server may check out for a job. */
export const repoConfigSchema = mapping({
  /** The repository's folder; a relative path is relative to the configuration file's folder. */
  path: text(true),
  /** argv run once in a fresh workspace before the agent (e.g. `[npm, ci]`). */
  setup: argv.optional(),
  /** argv run after the agent; a job succeeds only if it passes (e.g. `[npm, test]`). */
  verify: argv.optional(),
  /** The branch, tag or commit a job starts from when it names none. */
  ref: text(true).optional(),
});

/** `flotilla serve`: bounds and access. */
export const serverConfigSchema = mapping({
  host: text(true).default('127.0.0.1'),
  port: z.number({ error: 'expected an integer from 0 to 65535' }).int().min(0).max(65535).default(8787),
  /** Jobs that may run at once. */
  concurrency: count(1).default(10),
  /** Jobs that may wait for a slot; beyond it a submission gets 429. */
  max_queue: count(0).default(100),
  /** Seconds a finished job is kept. */
  job_ttl_s: positive('a number of seconds').default(86_400),
  /** The bearer token every route but `/health` requires; `""` (an unset `${VAR}`) means none. */
  token: text()
    .transform((token) => (token === '' ? undefined : token))
    .optional(),
  /** The largest request body accepted; larger gets 413. */
  max_body_bytes: count(1).default(1024 * 1024),
  /**
   * Whether workflows sent over HTTP may have `shell` steps. They run any command as the server's user,
   * beyond the agent profiles, so they are off unless the operator turns them on.
   */
  allow_shell_steps: z.boolean({ error: 'expected true or false' }).default(false),
  /**
   * The folder whose workflow files `POST /v1/runs` may name by path (relative to this file's folder);
   * a path outside it is refused. Absent: none, only YAML text is accepted.
   * @default none
   */
  workflows_dir: text(true).optional(),
});

/** `flotilla qa`: the crawler's bounds. */
export const qaConfigSchema = mapping({
  /** Browser contexts testing pages at once. */
  workers: count(1).default(4),
  /** Navigations per second to one host; 0 spaces nothing. */
  rate_limit: z
    .number({ error: 'expected a number of requests per second ≥ 0 (0: no limit)' })
    .min(0)
    .default(3),
  max_pages: count(1).default(100),
  /** Links followed from a start URL (0: the start pages only). */
  max_depth: count(0).default(3),
  /**
   * QA runs one process crawls at once (`POST /v1/qa`, `type: qa` steps), each with a Chromium of its
   * own; more wait their turn.
   */
  max_runs: count(1).default(2),
});

/** The whole of `flotilla.config.yaml` (after `${VAR}` expansion). */
export const flotillaConfigSchema = mapping({
  /** The state folder; relative to the configuration file's folder. */
  home: z.string({ error: 'expected a non-empty path' }).min(1).optional(),
  agents: section(
    z.record(z.string(), agentProfileSchema, { error: 'expected a mapping of agent names to profiles' }),
  ),
  repos: section(
    z.record(z.string(), repoConfigSchema, { error: 'expected a mapping of names to repositories' }),
  ),
  server: section(serverConfigSchema),
  qa: section(qaConfigSchema),
  suites: section(suitesConfigSchema),
});

/** A validated `flotilla.config.yaml`, defaults applied. */
export type FlotillaConfig = z.output<typeof flotillaConfigSchema>;
/** An agent profile: a command line program or an OpenAI-compatible endpoint. */
export type AgentProfile = z.output<typeof agentProfileSchema>;
/** An agent that is a command line program. */
export type CliAgentProfile = z.output<typeof cliAgentProfileSchema>;
/** An agent that is an OpenAI-compatible endpoint. */
export type OpenAiAgentProfile = z.output<typeof openAiAgentProfileSchema>;
/** How an agent's output is read. */
export type AgentOutputFormat = (typeof AGENT_OUTPUT_FORMATS)[number];
/** When a failed agent run is tried again. */
export type RetryPolicy = z.output<typeof retrySchema>;
/** A repository the server may check out. */
export type RepoConfig = z.output<typeof repoConfigSchema>;
/** The server's settings, defaults applied. */
export type ServerConfig = z.output<typeof serverConfigSchema>;
/** The QA crawler's settings, defaults applied. */
export type QaConfig = z.output<typeof qaConfigSchema>;
