import { FlotillaError, type ErrorCode } from '../core/index.js';
import { ApiError } from './api-client.js';
import { ExitCode } from './exit-codes.js';

/**
 * The one place where an error becomes an exit code: a `FlotillaError`'s code → exit code. Usage (2)
 * means the user asked for something we cannot do and nothing ran; every other code is a failure of the
 * work (1). Interruption (130) is not decided here: `exitCodeOf` gives it when this process was signalled.
 */
const EXIT_CODE_BY_CODE: Readonly<Record<ErrorCode, ExitCode>> = {
  // core
  E_QUEUE_FULL: ExitCode.Failures,
  E_INVALID_ARGUMENT: ExitCode.Usage,
  E_TIMEOUT: ExitCode.Failures,
  E_HALTED: ExitCode.Failures,
  E_CANCELLED: ExitCode.Failures,
  // 130 means "this process got SIGINT/SIGTERM", which `exitCodeOf` knows from its `interrupted` flag. An
  // E_INTERRUPTED without that flag was stopped by something else (a server's shutdown, a lost lease): a
  // failure of the work as far as this command is concerned, not a Ctrl-C.
  E_INTERRUPTED: ExitCode.Failures,

  // config
  E_CONFIG: ExitCode.Usage,

  // store
  E_STORE: ExitCode.Failures,
  E_STORE_VERSION: ExitCode.Failures,
  E_STORE_DUPLICATE: ExitCode.Failures,
  E_STORE_BUSY: ExitCode.Failures,

  // exec
  E_SPAWN: ExitCode.Failures,
  E_PROCESS_LOST: ExitCode.Failures,

  // workspace
  // A job request that names what is not there, locally or as a server's 400 says.
  E_REPO_UNKNOWN: ExitCode.Usage,
  E_REF_UNKNOWN: ExitCode.Usage,
  E_REPO_UNAVAILABLE: ExitCode.Failures,
  E_SETUP_FAILED: ExitCode.Failures,
  E_GIT: ExitCode.Failures,
  E_WORKSPACE_STATE: ExitCode.Failures,

  // agents
  E_AGENT_CONFIG: ExitCode.Failures,
  E_AGENT_REQUEST: ExitCode.Failures,
  E_AGENT_HTTP: ExitCode.Failures,

  // jobs
  E_INVALID_REQUEST: ExitCode.Usage,
  E_AGENT_UNKNOWN: ExitCode.Usage,
  E_STATE: ExitCode.Failures,
  // Another process (a running `flotilla serve`) runs the jobs of this home.
  E_HOME_BUSY: ExitCode.Usage,

  // workflow
  // A workflow file that does not load, or inputs that do not fit it: no step ran.
  E_WORKFLOW_INVALID: ExitCode.Usage,
  E_WORKFLOW_INPUT: ExitCode.Usage,
  E_EXPRESSION: ExitCode.Failures,
  E_STEP_FAILED: ExitCode.Failures,
  // A run that is not there, or not in a state the command needs (running elsewhere, nothing to approve).
  E_RUN_NOT_FOUND: ExitCode.Usage,
  E_RUN_BUSY: ExitCode.Usage,
  E_RUN_NOT_RESUMABLE: ExitCode.Usage,
  E_RUN_NOT_WAITING: ExitCode.Usage,

  // suites: a suite wrote a report that cannot be read; the run happened, its result is a failure.
  E_PLAN_BRANCH_EXISTS: ExitCode.Usage,
  E_REPORT: ExitCode.Failures,

  // qa: the site under test serves a sitemap that cannot be read; that is a finding about the site.
  E_SITEMAP: ExitCode.Failures,
  // qa: no Chromium installed is the machine's setup, fixed before anything can run (the message says how).
  E_NO_BROWSER: ExitCode.Usage,
  E_BROWSER_LAUNCH: ExitCode.Failures,
  E_BROWSER_CRASHED: ExitCode.Failures,
  // qa: `--auth` (its user, password or selectors) does not log in: fixed on the command line; nothing was tested.
  E_LOGIN: ExitCode.Usage,

  // server (as a server's answer relays them)
  E_INVALID_JSON: ExitCode.Usage,
  // `serve --host 0.0.0.0` without a token: the command line asked for what is refused; nothing ran.
  E_INSECURE: ExitCode.Usage,
  E_UNAUTHORIZED: ExitCode.Failures,
  // A job or run id the server does not have: a bad argument, as a local unknown run (E_RUN_NOT_FOUND) is.
  E_NOT_FOUND: ExitCode.Usage,
  E_BODY_TOO_LARGE: ExitCode.Failures,
  // A request this client should not have sent that way (its type, its Host, its Origin).
  E_UNSUPPORTED_MEDIA_TYPE: ExitCode.Usage,
  E_MISDIRECTED: ExitCode.Usage,
  E_FORBIDDEN_ORIGIN: ExitCode.Usage,
  E_AGENT_FAILED: ExitCode.Failures,
  E_CLIENT_GONE: ExitCode.Failures,
  E_SERVER_STATE: ExitCode.Failures,
  E_LISTEN: ExitCode.Failures,
  E_SHELL_STEPS_OFF: ExitCode.Usage,

  // cli
  E_USAGE: ExitCode.Usage,
  E_UNREACHABLE: ExitCode.Failures,
  E_API: ExitCode.Failures,
};

/** A bad flag or argument found by a command itself (commander finds the rest). */
export class UsageError extends FlotillaError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** The exit code for an error that ended a command. */
export function exitCodeOf(error: unknown, interrupted: boolean): ExitCode {
  if (interrupted) return ExitCode.Interrupted;
  // `??`: a code that only JavaScript (or a cast) could have given is a failure, as it always was.
  if (error instanceof FlotillaError) return EXIT_CODE_BY_CODE[error.code] ?? ExitCode.Failures;
  return ExitCode.Failures;
}

/**
 * `{ code, message }` of any thrown value, for `--json` output and the terminal. Never a stack trace: an
 * error that is not a `FlotillaError` is a fault of Flotilla, said in one line (`E_INTERNAL`); its stack
 * is for `FLOTILLA_DEBUG=1` (see `main`).
 */
export function describeError(error: unknown): { code: string; message: string } {
  // A server's answer keeps the code the server gave, even one this client does not know.
  if (error instanceof ApiError) return { code: error.wireCode, message: error.message };
  if (error instanceof FlotillaError) return { code: error.code, message: error.message };
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    code: 'E_INTERNAL',
    message: `internal error: ${what} (FLOTILLA_DEBUG=1 shows where; please report it)`,
  };
}
