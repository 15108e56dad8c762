import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';

/** Where a run ran, as `manifest.json` records it. */
export interface EvidenceEnvironment {
  /** `process.version`, such as `v20.19.0`. */
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  /** The CPUs the process may use (`os.availableParallelism()`). */
  readonly cpus: number;
  readonly hostname: string;
  readonly cwd: string;
  /** Flotilla's version from its package.json; `null` when it cannot be read. */
  readonly flotilla_version: string | null;
  /** The CI service the run is on (`github-actions`, `gitlab`, …, or `ci` for one that sets only `CI`); `null` outside CI. */
  readonly ci: string | null;
}

/** The variables CI services set, most specific first. */
const CI_VARIABLES: readonly (readonly [variable: string, name: string])[] = [
  ['GITHUB_ACTIONS', 'github-actions'],
  ['GITLAB_CI', 'gitlab'],
  ['CIRCLECI', 'circleci'],
  ['BUILDKITE', 'buildkite'],
  ['JENKINS_URL', 'jenkins'],
  ['TF_BUILD', 'azure-pipelines'],
  ['BITBUCKET_BUILD_NUMBER', 'bitbucket'],
  ['TEAMCITY_VERSION', 'teamcity'],
  ['DRONE', 'drone'],
  ['TRAVIS', 'travis'],
  ['CODEBUILD_BUILD_ID', 'aws-codebuild'],
  ['CI', 'ci'],
];

/** The CI service `env` says the process runs on, or `null` (a `CI` of `''`, `0` or `false` is not CI). */
export function ciName(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const [variable, name] of CI_VARIABLES) {
    const value = env[variable];
    if (value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false') return name;
  }
  return null;
}

let version: string | null | undefined;

/** Flotilla's version, read once from its package.json (three folders above this file in `src/` and `dist/`). */
export function flotillaVersion(): string | null {
  if (version !== undefined) return version;
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    version = typeof manifest.version === 'string' ? manifest.version : null;
  } catch {
    version = null;
  }
  return version;
}

/** The environment of this process. */
export function describeEnvironment(env: NodeJS.ProcessEnv = process.env): EvidenceEnvironment {
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: availableParallelism(),
    hostname: hostname(),
    cwd: process.cwd(),
    flotilla_version: flotillaVersion(),
    ci: ciName(env),
  };
}
