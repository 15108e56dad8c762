import { FlotillaError, isErrorCode, type ErrorCode } from '../core/index.js';

/**
 * The server answered with an error, or could not be reached. `code` is the server's when this client
 * knows it (so a server's `E_INVALID_REQUEST` is a usage error here too), `E_API` when not.
 */
export class ApiError extends FlotillaError {
  /**
   * The code as the server sent it, which may be none of `ERROR_CODES`: `E_INTERNAL` for a server fault,
   * `E_HTTP_<status>` for an answer without one, or a newer server's code. The CLI prints this one.
   */
  readonly wireCode: string;

  constructor(
    code: ErrorCode,
    message: string,
    readonly status?: number,
    wireCode: string = code,
  ) {
    super(code, message);
    this.wireCode = wireCode;
  }
}

/** One Server-Sent Event as received. */
export interface SseMessage {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/** A small client of Flotilla's HTTP API (the README's HTTP API section), for the `jobs` commands. */
export class ApiClient {
  readonly #base: string;
  readonly #token: string | undefined;

  constructor(server: string, token?: string) {
    this.#base = server.replace(/\/+$/, '');
    this.#token = token;
  }

  async json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.#fetch(method, path, body, signal);
    return (await response.json()) as T;
  }

  async text(path: string, signal?: AbortSignal): Promise<string> {
    return (await this.#fetch('GET', path, undefined, signal)).text();
  }

  /** Reads an SSE stream message by message until the server closes it. */
  async *events(path: string, signal?: AbortSignal): AsyncGenerator<SseMessage> {
    const response = await this.#fetch('GET', path, undefined, signal, { accept: 'text/event-stream' });
    if (response.body === null) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = parseSse(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (message !== undefined) yield message;
      }
    }
  }

  async #fetch(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const init: RequestInit = {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal === undefined ? {} : { signal }),
    };
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, init);
    } catch (error) {
      if (signal?.aborted === true) throw error;
      throw new ApiError(
        'E_UNREACHABLE',
        `Cannot reach the Flotilla server at ${this.#base} (is \`flotilla serve\` running?)`,
      );
    }
    if (!response.ok) {
      const text = await response.text();
      let message = text;
      let code = `E_HTTP_${response.status}`;
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } | string };
        const { error } = parsed;
        if (typeof error === 'string') message = error;
        else if (error?.message !== undefined) {
          message = error.message;
          code = error.code ?? code;
        }
      } catch {
        // Not JSON: keep the text.
      }
      throw new ApiError(
        isErrorCode(code) ? code : 'E_API',
        `${method} ${path}: ${response.status} ${message}`,
        response.status,
        code,
      );
    }
    return response;
  }
}

function parseSse(block: string): SseMessage | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { ...(id === undefined ? {} : { id }), event, data: data.join('\n') };
}
