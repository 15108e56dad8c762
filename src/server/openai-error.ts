/**
 * Whether `path` is one of the OpenAI-compatible routes, whose errors are in OpenAI's shape
 * (`openAiError`); every other route keeps Flotilla's own.
 */
export function isOpenAiPath(path: string): boolean {
  return path === '/v1/models' || path.startsWith('/v1/models/') || path.startsWith('/v1/chat/');
}

/** What `openAiError` reshapes: Flotilla's own error object. */
export interface FlotillaErrorFields {
  readonly code: string;
  readonly message: string;
  readonly field?: string;
}

/**
 * OpenAI's error object (`message`, `type`, `param`, `code`), with Flotilla's stable code beside it as
 * `flotilla_code` and the old `field` kept for the clients that read it.
 */
export interface OpenAiError {
  readonly message: string;
  readonly type: string;
  /** The request's field that was wrong, as `field` says; `null` when none was. */
  readonly param: string | null;
  /** OpenAI's code where OpenAI has one for the case (`model_not_found`, …), else `flotilla_code`. */
  readonly code: string;
  readonly flotilla_code: string;
  readonly field?: string;
}

/**
 * OpenAI's codes for the refusals that OpenAI also makes. A code the SDKs' users already test for
 * (`model_not_found`) matters more than one vocabulary; where OpenAI has no such case (an agent that
 * failed), Flotilla's code stands, as OpenAI's `code` is any string.
 */
const OPENAI_CODES: Readonly<Record<string, string>> = {
  E_UNAUTHORIZED: 'invalid_api_key',
  E_QUEUE_FULL: 'rate_limit_exceeded',
};

/**
 * `error` in OpenAI's shape, for an answer of status `status`. `openAiCode` is the code the thrower
 * chose (a `ServerError`'s), over the table's.
 */
export function openAiError(error: FlotillaErrorFields, status: number, openAiCode?: string): OpenAiError {
  const { code, message, field } = error;
  return {
    message,
    type: typeOf(status),
    param: field ?? null,
    code: openAiCode ?? OPENAI_CODES[code] ?? code,
    flotilla_code: code,
    ...(field === undefined ? {} : { field }),
  };
}

/**
 * OpenAI's `type` for a status: `requests` for a rate limit (as OpenAI says of a limit of requests),
 * `server_error` when the server or the agent behind the model failed, else `invalid_request_error`.
 */
function typeOf(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500 || status === 424) return 'server_error';
  return 'invalid_request_error';
}
