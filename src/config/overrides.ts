import type { z } from 'zod';
import type { ConfigIssue } from './config-error.js';
import type { Environment } from './expand-env.js';
import { describeValue, expectationMessages } from './issues.js';
import { describeSecret, isSecretPath } from './secrets.js';
import { qaConfigSchema, serverConfigSchema, type QaConfig, type ServerConfig } from './schema.js';

/**
 * Values given on the command line; each wins over its environment variable and the file. A number may
 * come as the flag's text (`"8080"`): it is parsed and validated like the environment's, and an error
 * names the flag. `undefined` means "not given".
 */
export interface ConfigOverrides {
  /** `--home`: the state folder; relative to `cwd`. */
  readonly home?: string;
  /** `--host`: the address `flotilla serve` binds. */
  readonly host?: string;
  /** `--port`: the port `flotilla serve` listens on (0: any free port). */
  readonly port?: number | string;
  /** `--concurrency`: jobs that may run at once. */
  readonly concurrency?: number | string;
  /** `--max-queue`: jobs that may wait for a slot. */
  readonly maxQueue?: number | string;
  /** `--token`: the bearer token of the HTTP API; `""` means none. */
  readonly token?: string;
  /** `--workers`: QA browser contexts at once. */
  readonly workers?: number | string;
  /** `--rate-limit`: QA requests per second per host. */
  readonly rateLimit?: number | string;
  /** `--max-pages`: pages a QA crawl tests at most. */
  readonly maxPages?: number | string;
  /** `--max-depth`: links a QA crawl follows from a start URL. */
  readonly maxDepth?: number | string;
}

/** A setting that a flag, and perhaps an environment variable, may override. */
export interface OverridableSetting {
  /** Its key path in the file, e.g. `server.port`. */
  readonly path: string;
  /** The flag, e.g. `--port`. */
  readonly flag: string;
  /** Its name in `ConfigOverrides`. */
  readonly option: keyof ConfigOverrides;
  /** `number`: the text of a flag or variable is parsed as a number; `path`: resolved to an absolute one. */
  readonly type: 'number' | 'string' | 'path';
  /** The environment variable, when there is one. An empty variable counts as not set. */
  readonly env?: string;
}

/** Every overridable setting: precedence is flag > environment variable > file > default. */
export const OVERRIDABLE_SETTINGS: readonly OverridableSetting[] = [
  { path: 'home', flag: '--home', option: 'home', type: 'path', env: 'FLOTILLA_HOME' },
  { path: 'server.host', flag: '--host', option: 'host', type: 'string', env: 'FLOTILLA_HOST' },
  { path: 'server.port', flag: '--port', option: 'port', type: 'number', env: 'FLOTILLA_PORT' },
  {
    path: 'server.concurrency',
    flag: '--concurrency',
    option: 'concurrency',
    type: 'number',
    env: 'FLOTILLA_CONCURRENCY',
  },
  {
    path: 'server.max_queue',
    flag: '--max-queue',
    option: 'maxQueue',
    type: 'number',
    env: 'FLOTILLA_MAX_QUEUE',
  },
  { path: 'server.token', flag: '--token', option: 'token', type: 'string', env: 'FLOTILLA_TOKEN' },
  { path: 'qa.workers', flag: '--workers', option: 'workers', type: 'number' },
  { path: 'qa.rate_limit', flag: '--rate-limit', option: 'rateLimit', type: 'number' },
  { path: 'qa.max_pages', flag: '--max-pages', option: 'maxPages', type: 'number' },
  { path: 'qa.max_depth', flag: '--max-depth', option: 'maxDepth', type: 'number' },
];

/** The environment variables the configuration reads, in `OVERRIDABLE_SETTINGS` order. */
export const CONFIG_ENV_VARIABLES: readonly string[] = OVERRIDABLE_SETTINGS.flatMap((setting) =>
  setting.env === undefined ? [] : [setting.env],
);

/** The schema of each overridable key, by section. */
const FIELDS: Readonly<Record<'server' | 'qa', Readonly<Record<string, z.ZodType | undefined>>>> = {
  server: serverConfigSchema.shape,
  qa: qaConfigSchema.shape,
};

/** The value of an environment variable, or `undefined` when it is not set or empty. */
export function envValue(env: Environment, name: string | undefined): string | undefined {
  const value = name === undefined ? undefined : env[name];
  return value === '' ? undefined : value;
}

/** The sections that overrides change, as the file (and defaults) set them. */
export interface OverridableSections {
  readonly server: ServerConfig;
  readonly qa: QaConfig;
}

/**
 * `sections` with the environment's and the flags' values applied (flag > environment). Every given
 * value is validated, the overridden ones too; problems are added to `issues` and leave the file's value.
 */
export function applyOverrides(
  sections: OverridableSections,
  env: Environment,
  flags: ConfigOverrides,
  issues: ConfigIssue[],
): OverridableSections {
  const result = { server: { ...sections.server }, qa: { ...sections.qa } };
  for (const setting of OVERRIDABLE_SETTINGS) {
    const [section, key] = setting.path.split('.');
    if ((section !== 'server' && section !== 'qa') || key === undefined) continue;
    const schema = FIELDS[section][key];
    if (schema === undefined) continue;
    const given: [source: string, raw: unknown][] = [
      [setting.env ?? '', envValue(env, setting.env)],
      [setting.flag, flags[setting.option]],
    ];
    for (const [source, raw] of given) {
      if (raw === undefined) continue;
      const parsed = schema.safeParse(setting.type === 'number' ? asNumber(raw) : raw, {
        error: expectationMessages,
      });
      if (parsed.success) {
        (result[section] as Record<string, unknown>)[key] = parsed.data;
      } else {
        const expected = parsed.error.issues[0]?.message ?? 'invalid';
        const found = isSecretPath(setting.path.split('.'))
          ? `${describeSecret(raw)} (not shown: a secret)`
          : describeValue(raw);
        const message = `${source}: ${setting.path}: ${expected}, got ${found}`;
        issues.push({ message, path: setting.path, source });
      }
    }
  }
  return result;
}

/** A number written as text (`"8080"`, `" 2.5 "`) becomes a number; anything else is left to fail. */
function asNumber(raw: unknown): unknown {
  if (typeof raw !== 'string' || !/^\s*[-+]?(?:\d+\.?\d*|\.\d+)\s*$/.test(raw)) return raw;
  return Number(raw);
}
