import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { readConfigFile } from './config-file.js';
import type { Environment } from './expand-env.js';
import { expectationMessages, issuesOfFile } from './issues.js';
import { applyOverrides, envValue, type ConfigOverrides } from './overrides.js';
import type { SuitesConfig } from './suites-schema.js';
import {
  flotillaConfigSchema,
  type AgentProfile,
  type FlotillaConfig,
  type QaConfig,
  type RepoConfig,
  type ServerConfig,
} from './schema.js';

/** The file `loadConfig` reads from `cwd` when no `configFile` is given, if it exists. */
export const DEFAULT_CONFIG_FILE = 'flotilla.config.yaml';

/** The state folder, relative to `cwd`, when no flag, variable or file names one. */
export const DEFAULT_HOME = '.flotilla';

/** What `loadConfig` reads. It changes none of it. */
export interface LoadConfigOptions {
  /** The working folder: relative paths of flags and variables, and the default file and home, start here. */
  readonly cwd: string;
  /** The environment: `${VAR}` in the file and the `FLOTILLA_*` variables are read from it. */
  readonly env: Environment;
  /** `--config`: a file that must exist; relative to `cwd`. Default: `./flotilla.config.yaml` when present. */
  readonly configFile?: string;
  /** The command line's values, which win over everything else. */
  readonly flags?: ConfigOverrides;
}

/** The configuration after file, environment and flags are merged and validated, paths made absolute. */
export interface ResolvedConfig {
  /** The state folder (database, workspaces, logs), absolute. It may not exist yet. */
  readonly home: string;
  /** The configuration file that was read, absolute, or `null` when there was none. */
  readonly configFile: string | null;
  /** Agent profiles by name. */
  readonly agents: Readonly<Record<string, AgentProfile>>;
  /** Repositories by key; each `path` is absolute (a relative one starts at the file's folder). */
  readonly repos: Readonly<Record<string, RepoConfig>>;
  /** The server's settings; `workflows_dir`, when set, is absolute (a relative one starts at the file's folder). */
  readonly server: ServerConfig;
  readonly qa: QaConfig;
  /** The test suites and how `flotilla suites` runs them; each suite's `cwd` is absolute (the file's folder by default). */
  readonly suites: SuitesConfig;
}

/**
 * Loads the configuration: defaults, then `flotilla.config.yaml` (with `${VAR}` expanded from `env`),
 * then the `FLOTILLA_*` variables, then `flags`. Reads one file and nothing else; creates nothing.
 *
 * @throws {ConfigError} naming the file, line, column and key path, or the variable or flag, of every
 * problem found; with `configFile` given, also when that file does not exist.
 */
export function loadConfig(options: LoadConfigOptions): ResolvedConfig {
  const cwd = resolve(options.cwd);
  const flags = options.flags ?? {};

  // 1. Find the file: the one named, which must exist, or the default one when present.
  const configFile =
    options.configFile !== undefined
      ? resolve(cwd, options.configFile)
      : existsSync(join(cwd, DEFAULT_CONFIG_FILE))
        ? join(cwd, DEFAULT_CONFIG_FILE)
        : null;

  // 2. Read, expand and validate it; defaults fill what it leaves out.
  const fromFile =
    configFile === null ? flotillaConfigSchema.parse({}) : parseFile(configFile, cwd, options.env);
  const base = configFile === null ? cwd : dirname(configFile);

  // 3. The environment, then flags, over the file; every bad value is reported at once.
  const issues: ConfigIssue[] = [];
  const { server, qa } = applyOverrides(fromFile, options.env, flags, issues);
  const home = resolveHome(cwd, base, fromFile.home, options.env, flags, issues);
  if (issues.length > 0) throw ConfigError.of('the environment and flags', issues);

  // 4. Paths in the file start at the file's folder.
  const repos = Object.fromEntries(
    Object.entries(fromFile.repos).map(([name, repo]) => [name, { ...repo, path: resolve(base, repo.path) }]),
  );
  const workflowsDir = server.workflows_dir;
  return {
    home,
    configFile,
    agents: fromFile.agents,
    repos,
    server: workflowsDir === undefined ? server : { ...server, workflows_dir: resolve(base, workflowsDir) },
    qa,
    suites: {
      ...fromFile.suites,
      run: Object.fromEntries(
        Object.entries(fromFile.suites.run).map(([name, suite]) => [
          name,
          { ...suite, cwd: resolve(base, suite.cwd ?? '.') },
        ]),
      ),
    },
  };
}

/** The file's contents, validated, with defaults. */
function parseFile(file: string, cwd: string, env: Environment): FlotillaConfig {
  const fromCwd = relative(cwd, file);
  const displayName = fromCwd === '' || fromCwd.startsWith('..') || isAbsolute(fromCwd) ? file : fromCwd;
  const site = readConfigFile(file, displayName, env);
  const data = site.data ?? {}; // an empty file is an empty mapping
  const parsed = flotillaConfigSchema.safeParse(data, { error: expectationMessages });
  if (parsed.success) return parsed.data;
  throw ConfigError.of(displayName, issuesOfFile(parsed.error.issues, { ...site, data }));
}

/** `--home` > `FLOTILLA_HOME` (both from `cwd`) > the file's `home` (from its folder) > `<cwd>/.flotilla`. */
function resolveHome(
  cwd: string,
  base: string,
  fileHome: string | undefined,
  env: Environment,
  flags: ConfigOverrides,
  issues: ConfigIssue[],
): string {
  if (flags.home !== undefined) {
    if (typeof flags.home === 'string' && flags.home !== '') return resolve(cwd, flags.home);
    const got = JSON.stringify(flags.home);
    issues.push({
      message: `--home: home: expected a non-empty path, got ${got}`,
      path: 'home',
      source: '--home',
    });
  }
  const fromEnv = envValue(env, 'FLOTILLA_HOME');
  if (fromEnv !== undefined) return resolve(cwd, fromEnv);
  return fileHome === undefined ? resolve(cwd, DEFAULT_HOME) : resolve(base, fileHome);
}
