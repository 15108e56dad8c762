/** The layers of Flotilla, as `ERROR_CODES` names the one that raises each code. */
type RaisingLayer =
  | 'core'
  | 'config'
  | 'store'
  | 'exec'
  | 'workspace'
  | 'agents'
  | 'jobs'
  | 'workflow'
  | 'plan'
  | 'suites'
  | 'qa'
  | 'server'
  | 'cli';

/**
 * Every code a `FlotillaError` may carry, with the layer that raises it. It is the one list: `ErrorCode`
 * is derived from it, and the server's code → status table and the CLI's code → exit code table are
 * records over it, so a code added here without a status and an exit code does not compile. A code may
 * be raised by a layer above its own too (the server refuses a request with `E_INVALID_REQUEST`).
 */
export const ERROR_CODES = {
  // core
  /** A `Limiter` refused work because `maxQueue` tasks already wait. */
  E_QUEUE_FULL: 'core',
  /** A function was called with an option or argument it cannot use; nothing was changed. */
  E_INVALID_ARGUMENT: 'core',
  /** Work was stopped because its deadline passed. */
  E_TIMEOUT: 'core',
  /** Work was stopped because an earlier item of the same batch failed (`mapOrdered`). */
  E_HALTED: 'core',
  /** Work was cancelled on purpose (a user's cancel, a shutdown). */
  E_CANCELLED: 'core',
  /** Work was stopped by a shutdown, a Ctrl-C or a lost lease; it can resume. */
  E_INTERRUPTED: 'core',
  /** A long-lived part (the job service, the workflow engine) is not started, or is stopping (`Lifecycle`). */
  E_STATE: 'core',

  // config
  /** The configuration (file, environment or flags) is invalid; nothing was loaded. */
  E_CONFIG: 'config',

  // store
  /** The database could not be opened, read or written (I/O, disk full, corruption, a closed store). */
  E_STORE: 'store',
  /** The database was written by a newer Flotilla, which this one refuses to touch. */
  E_STORE_VERSION: 'store',
  /** A row with the same key already exists; nothing was written. */
  E_STORE_DUPLICATE: 'store',
  /** Another process held the database lock for longer than the busy timeout. */
  E_STORE_BUSY: 'store',

  // exec
  /** A child process could not be started at all (no such command, not executable, no resources). */
  E_SPAWN: 'exec',
  /**
   * The spawner process that started a child ended while the child ran, so its exit status cannot be
   * known; its process group was stopped.
   */
  E_PROCESS_LOST: 'exec',

  // workspace
  /** A request names a repository that is not in the configuration's `repos:`. */
  E_REPO_UNKNOWN: 'workspace',
  /** A configured repository's folder is missing or is not a git repository. */
  E_REPO_UNAVAILABLE: 'workspace',
  /** The branch, tag or commit does not exist in the repository. */
  E_REF_UNKNOWN: 'workspace',
  /** The repository's `setup` command failed or timed out in a fresh workspace. */
  E_SETUP_FAILED: 'workspace',
  /** A git command failed unexpectedly (its output tail is in the message). */
  E_GIT: 'workspace',
  /** The workspace manager is not started, or the workspace was already released. */
  E_WORKSPACE_STATE: 'workspace',

  // agents
  /** An agent profile cannot run as configured (a missing API key variable, an empty command). */
  E_AGENT_CONFIG: 'agents',
  /** A request cannot be given to the agent (a prompt or id with a NUL character in an argv). */
  E_AGENT_REQUEST: 'agents',
  /** An OpenAI-compatible endpoint answered a streamed request with an error status. */
  E_AGENT_HTTP: 'agents',

  // jobs
  /** A job request is malformed or names what cannot be used; nothing was created. */
  E_INVALID_REQUEST: 'jobs',
  /** A job request names an agent profile that is not configured. */
  E_AGENT_UNKNOWN: 'jobs',
  /** Another live process runs the jobs of this home (it holds the home's lease). */
  E_HOME_BUSY: 'jobs',

  // workflow
  /** An expression (`{{ … }}`) does not parse or cannot be evaluated. */
  E_EXPRESSION: 'workflow',
  /** A workflow file is missing, not YAML or invalid, or names an unknown step type; nothing ran. */
  E_WORKFLOW_INVALID: 'workflow',
  /** The inputs given to a workflow do not fit its declaration; nothing ran. */
  E_WORKFLOW_INPUT: 'workflow',
  /** A step did not succeed (a non-zero exit, a failed job, a rejected gate, a halted fan-out). */
  E_STEP_FAILED: 'workflow',
  /** No run has this id. */
  E_RUN_NOT_FOUND: 'workflow',
  /** The run is driven by another live process. */
  E_RUN_BUSY: 'workflow',
  /** The run has finished and cannot be resumed. */
  E_RUN_NOT_RESUMABLE: 'workflow',
  /** The run does not wait at the gate a decision was given for. */
  E_RUN_NOT_WAITING: 'workflow',

  // plan
  /** A plan's result branch (`flotilla/plan-<id>`) already exists in the repository, made by another run. */
  E_PLAN_BRANCH_EXISTS: 'plan',

  // suites
  /** A suite's test report is not a valid report of the format it declares (not XML, not JSON, wrong shape). */
  E_REPORT: 'suites',

  // qa
  /** A sitemap a site serves is not one: empty, not XML, too large, or XML of another kind (an RSS feed, an HTML page). */
  E_SITEMAP: 'qa',
  /** No Chromium to drive: `FLOTILLA_CHROMIUM` names no executable file, or none is installed where looked. */
  E_NO_BROWSER: 'qa',
  /** The browser was found but could not be launched (it exited at once, or did not answer in time). */
  E_BROWSER_LAUNCH: 'qa',
  /** The browser crashed: the contexts leased from it are gone (the pool relaunches it, up to its limit). */
  E_BROWSER_CRASHED: 'qa',
  /** Logging in to the site under test failed: no login form found, or the form did not let the crawler in. */
  E_LOGIN: 'qa',

  // server
  /** The server refused to listen beyond loopback without a token. */
  E_INSECURE: 'server',
  /** A request has no bearer token, or not the right one. */
  E_UNAUTHORIZED: 'server',
  /** A request names a route, job or run that is not there. */
  E_NOT_FOUND: 'server',
  /** A request body is not JSON. */
  E_INVALID_JSON: 'server',
  /** A request body is larger than the server accepts. */
  E_BODY_TOO_LARGE: 'server',
  /** A request body is not declared as `application/json` (what a web page can send without asking). */
  E_UNSUPPORTED_MEDIA_TYPE: 'server',
  /** A request is addressed (`Host`) to a name this server does not answer to (DNS rebinding). */
  E_MISDIRECTED: 'server',
  /** A request comes from a web page of another origin (`Origin`). */
  E_FORBIDDEN_ORIGIN: 'server',
  /** The agent's job behind a chat completion did not succeed. */
  E_AGENT_FAILED: 'server',
  /** The client closed its connection before its request was read or answered: nobody reads the answer. */
  E_CLIENT_GONE: 'server',
  /** The server cannot answer in its state (stopping): the request ended before its job did. */
  E_SERVER_STATE: 'server',
  /** The server could not listen on its host and port. */
  E_LISTEN: 'server',
  /** A workflow sent over HTTP has `shell` steps, and the server's `allow_shell_steps` is off. */
  E_SHELL_STEPS_OFF: 'server',

  // cli
  /** A command was given a bad flag or argument (one commander does not catch). */
  E_USAGE: 'cli',
  /** The Flotilla server could not be reached. */
  E_UNREACHABLE: 'cli',
  /** The server answered with an error code this client does not know (`E_INTERNAL`, `E_HTTP_<status>`). */
  E_API: 'cli',
} as const satisfies Readonly<Record<`E_${string}`, RaisingLayer>>;

/** A stable, machine-readable error code such as `E_QUEUE_FULL`: one of `ERROR_CODES`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `value` is one of Flotilla's error codes (for a code read from JSON, say). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
