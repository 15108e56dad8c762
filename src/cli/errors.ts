import { FlotillaError } from '../core/index.js';
import { ApiError } from './api-client.js';
import { ExitCode } from './exit-codes.js';

/** Error codes that mean the user asked for something we cannot do: nothing ran (exit 2). */
const USAGE_CODES = new Set([
  'E_USAGE',
  'E_CONFIG',
  'E_INVALID_ARGUMENT',
  // A job request that names what is not there, locally or as a server's 400 says.
  'E_INVALID_REQUEST',
  'E_INVALID_JSON',
  'E_AGENT_UNKNOWN',
  'E_REPO_UNKNOWN',
  'E_REF_UNKNOWN',
  // A workflow file that does not load, or inputs that do not fit it: no step ran.
  'E_WORKFLOW_INVALID',
  'E_WORKFLOW_INPUT',
  // A run that is not there, or not in a state the command needs (running elsewhere, nothing to approve).
  'E_RUN_NOT_FOUND',
  'E_RUN_BUSY',
  'E_RUN_NOT_RESUMABLE',
  'E_RUN_NOT_WAITING',
  // Another process (a running `flotilla serve`) runs the jobs of this home.
  'E_HOME_BUSY',
]);

/** A bad flag or argument found by a command itself (commander finds the rest). */
export class UsageError extends FlotillaError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** The exit code for an error that ended a command. */
export function exitCodeOf(error: unknown, interrupted: boolean): ExitCode {
  if (interrupted) return ExitCode.Interrupted;
  if (error instanceof FlotillaError && USAGE_CODES.has(error.code)) return ExitCode.Usage;
  return ExitCode.Failures;
}

/** `{ code, message }` of any thrown value, for `--json` output and the terminal. */
export function describeError(error: unknown): { code: string; message: string } {
  // A server's answer keeps the code the server gave, even one this client does not know.
  if (error instanceof ApiError) return { code: error.wireCode, message: error.message };
  if (error instanceof FlotillaError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'E_INTERNAL', message: error.stack ?? error.message };
  return { code: 'E_INTERNAL', message: String(error) };
}
