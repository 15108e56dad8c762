import type { AgentProfile } from '../config/index.js';

/**
 * The environment variables a job request may never set, whatever its agent profile's `env_allow` says:
 * names, and prefixes ending in `*`, compared without regard to case (`Path` is `PATH` on some systems,
 * npm reads `npm_config_*` as well as `NPM_CONFIG_*`). Each of them lets whoever sets it run code the
 * profile did not choose, or read what the agent carries (its API key); `docs/configuration.md` lists them
 * with why. A profile's own `env:` may still set any of them: the operator wrote it.
 */
export const DENIED_JOB_ENV: readonly string[] = [
  // Where programs and shared libraries are found, and what the dynamic loader loads into every process.
  'PATH',
  'LD_*',
  'DYLD_*',
  'LIBPATH',
  'SHLIB_PATH',
  'GCONV_PATH',
  'GLIBC_TUNABLES',
  'LOCPATH',
  'NLSPATH',
  // What interpreters run before the program, or where they find modules.
  'NODE_*',
  'NPM_CONFIG_*',
  'PYTHON*',
  'PERL*',
  'RUBY*',
  'GEM_*',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'CLASSPATH',
  'DOTNET_*',
  'CORECLR_*',
  'LUA_*',
  'PHPRC',
  'PHP_INI_SCAN_DIR',
  'TCLLIBPATH',
  'ELECTRON_RUN_AS_NODE',
  'GOFLAGS',
  'RUSTC_WRAPPER',
  'OPENSSL_CONF',
  'OPENSSL_ENGINES',
  // What shells read or run when they start, and how they split and trace commands.
  'BASH_*',
  'BASHOPTS',
  'SHELLOPTS',
  'ENV',
  'IFS',
  'CDPATH',
  'PS4',
  'PROMPT_COMMAND',
  'SHELL',
  'ZDOTDIR',
  // Where programs read their own start-up files (~/.gitconfig, ~/.npmrc, the agent's credentials).
  'HOME',
  'XDG_CONFIG_HOME',
  // Git: its repository, its configuration, the programs it runs (GIT_SSH_COMMAND, GIT_EXTERNAL_DIFF, …).
  'GIT_*',
  // Programs other programs start on their behalf.
  'EDITOR',
  'VISUAL',
  'PAGER',
  'LESSOPEN',
  'LESSCLOSE',
  'BROWSER',
  'SSH_ASKPASS',
  'SUDO_ASKPASS',
  // Where network traffic goes and which certificates are trusted: the agent's API key travels on it.
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'ALL_PROXY',
  'NO_PROXY',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'CURL_CA_BUNDLE',
  'REQUESTS_CA_BUNDLE',
  // Flotilla's own: the markers that find a job's processes, the server's token.
  'FLOTILLA_*',
];

/** Whether `name` is `pattern`, or starts with its prefix when `pattern` ends in `*`. */
function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** The entry of `DENIED_JOB_ENV` that `name` falls under, if any. */
function deniedJobEnv(name: string): string | undefined {
  const upper = name.toUpperCase();
  return DENIED_JOB_ENV.find((pattern) => matches(pattern, upper));
}

/** Why a job's environment is refused: the field (`env.NAME`) and what is wrong with it. */
export interface JobEnvProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * The first variable of a job's `env` that the agent profile `agent` does not accept, or `undefined` when
 * it accepts them all: one of `DENIED_JOB_ENV` (always refused), or one its `env_allow` does not list
 * (names, or prefixes ending in `*`, compared as written). Names only: a value never appears in the message.
 */
export function refusedJobEnv(
  agent: string,
  profile: AgentProfile,
  env: Readonly<Record<string, string>> | undefined,
): JobEnvProblem | undefined {
  if (env === undefined) return undefined;
  const allowed = profile.env_allow ?? [];
  for (const name of Object.keys(env)) {
    const field = `env.${name}`;
    const denied = deniedJobEnv(name);
    if (denied !== undefined) {
      const rule = denied.endsWith('*') ? ` (${denied})` : '';
      return {
        field,
        message: `never accepted from a request${rule}: it can make the agent run other code or send its traffic elsewhere (see env_allow in docs/configuration.md)`,
      };
    }
    if (!allowed.some((pattern) => matches(pattern, name))) {
      const listed = allowed.length === 0 ? 'it allows none' : `it allows ${allowed.join(', ')}`;
      return {
        field,
        message: `not in the env_allow of agent "${agent}" (${listed}; see docs/configuration.md)`,
      };
    }
  }
  return undefined;
}
