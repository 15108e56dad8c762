import { ConfigError, expandEnv, type Environment } from '../config/index.js';
import { AgentError } from './agent-error.js';

/** The values of the placeholders an agent's argv may hold. */
export interface Placeholders {
  /** `{prompt}` */
  readonly prompt: string;
  /** `{job_id}` */
  readonly job_id: string;
  /** `{workspace}` */
  readonly workspace: string;
}

const PLACEHOLDER = /\{(prompt|job_id|workspace)\}/g;

/**
 * Builds an agent's argv from its profile's `command`: each `{prompt}`, `{job_id}` and `{workspace}` inside
 * an item is replaced by its value, in one pass, so a value that itself contains `{job_id}` stays as it is.
 * Each item stays one argument whatever the value holds (spaces, quotes, `$(…)`, `;`): the argv goes to
 * `runProcess`, which never uses a shell. Other braces are left alone.
 *
 * @throws {AgentError} `E_AGENT_CONFIG` when the program (`argv[0]`) is empty after substitution;
 *   `E_AGENT_REQUEST` when an item would hold a NUL character, which no argv can carry.
 */
export function substituteArgv(command: readonly string[], values: Placeholders): [string, ...string[]] {
  const argv = command.map((item) =>
    item.replace(PLACEHOLDER, (_match, name: keyof Placeholders) => values[name]),
  );
  const [program, ...rest] = argv;
  if (program === undefined || program === '') {
    throw new AgentError(
      'E_AGENT_CONFIG',
      `The agent's command is empty after substitution: ${JSON.stringify(command)}`,
    );
  }
  if (argv.some((item) => item.includes('\0'))) {
    throw new AgentError('E_AGENT_REQUEST', 'The prompt, job id or workspace holds a NUL character');
  }
  return [program, ...rest];
}

/**
 * The environment of an agent process: the process environment, then the job's own variables, then the
 * profile's `env` with `${VAR}` (and `${VAR:-default}`, `$$`) expanded from the first two. The profile wins,
 * so a job cannot replace what the configuration set (its API key, say), but it can feed its `${VAR}`s.
 *
 * @throws {AgentError} `E_AGENT_CONFIG` on a malformed `${…}` in the profile's `env`.
 */
export function agentEnvironment(
  processEnv: Environment,
  jobEnv: Readonly<Record<string, string>> | undefined,
  profileEnv: Readonly<Record<string, string>> | undefined,
): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = { ...processEnv, ...jobEnv };
  if (profileEnv === undefined) return base;
  const result = { ...base };
  for (const [name, value] of Object.entries(profileEnv)) {
    try {
      // An agent's env values are secrets (API keys): an error names the variable, never the value.
      result[name] = expandEnv(value, base, { secret: true });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new AgentError('E_AGENT_CONFIG', `The agent's env.${name}: ${error.message}`, { cause: error });
    }
  }
  return result;
}
