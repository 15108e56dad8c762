import { FlotillaError, type ErrorCode } from '../core/index.js';

/** The codes the HTTP layer itself raises (domain errors keep their own codes). */
export type ServerErrorCode = Extract<
  ErrorCode,
  | 'E_INSECURE'
  | 'E_UNAUTHORIZED'
  | 'E_NOT_FOUND'
  | 'E_INVALID_JSON'
  | 'E_INVALID_REQUEST'
  | 'E_BODY_TOO_LARGE'
  | 'E_UNSUPPORTED_MEDIA_TYPE'
  | 'E_MISDIRECTED'
  | 'E_FORBIDDEN_ORIGIN'
  | 'E_AGENT_FAILED'
  | 'E_CLIENT_GONE'
  | 'E_SERVER_STATE'
  | 'E_LISTEN'
  | 'E_SHELL_STEPS_OFF'
>;

/** Options of a `ServerError`. */
export interface ServerErrorOptions {
  /** The part of the request that was wrong. */
  readonly field?: string;
  /** OpenAI's code for this refusal (`model_not_found`), given on the OpenAI-compatible routes. */
  readonly openAiCode?: string;
  readonly cause?: unknown;
}

/**
 * An error of the HTTP server: a refused start (`E_INSECURE`) or a refused request. `field` names the
 * part of the request that was wrong, when one was.
 */
export class ServerError extends FlotillaError {
  declare readonly code: ServerErrorCode;
  readonly field: string | undefined;
  readonly openAiCode: string | undefined;

  constructor(code: ServerErrorCode, message: string, options: ServerErrorOptions = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
    this.openAiCode = options.openAiCode;
  }
}
