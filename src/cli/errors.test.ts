import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config/index.js';
import { FlotillaError, QueueFullError } from '../core/index.js';
import { JobServiceError } from '../jobs/index.js';
import { StepError } from '../workflow/index.js';
import { ApiClient } from './api-client.js';
import { describeError, exitCodeOf, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';

/** What `ApiClient` throws when the server answers `status` with `body`. */
async function refusal(status: number, body: string): Promise<unknown> {
  vi.stubGlobal('fetch', () => Promise.resolve(new Response(body, { status })));
  return new ApiClient('http://127.0.0.1:1').json('GET', '/v1/jobs').catch((error: unknown) => error);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('exitCodeOf', () => {
  it('is 2 when nothing ran because of what the user asked, 1 when the work failed', () => {
    expect(exitCodeOf(new UsageError('bad flag'), false)).toBe(ExitCode.Usage);
    expect(exitCodeOf(new ConfigError('bad config'), false)).toBe(ExitCode.Usage);
    expect(exitCodeOf(new JobServiceError('E_HOME_BUSY', 'served elsewhere'), false)).toBe(ExitCode.Usage);
    expect(exitCodeOf(new StepError('exited with code 1'), false)).toBe(ExitCode.Failures);
    expect(exitCodeOf(new QueueFullError(1, 1), false)).toBe(ExitCode.Failures);
    expect(exitCodeOf(new Error('boom'), false)).toBe(ExitCode.Failures);
  });

  it('is 130 only when this process was interrupted, whatever the error', () => {
    expect(exitCodeOf(new UsageError('bad flag'), true)).toBe(ExitCode.Interrupted);
    expect(exitCodeOf(new FlotillaError('E_INTERRUPTED', 'interrupted'), true)).toBe(ExitCode.Interrupted);
    // Stopped by something else (a server's shutdown, a lost lease): not a Ctrl-C of this process.
    expect(exitCodeOf(new FlotillaError('E_INTERRUPTED', 'lease lost'), false)).toBe(ExitCode.Failures);
  });

  it('follows the code of a server’s refusal, and keeps a code this client does not know as sent', async () => {
    const invalid = await refusal(
      400,
      JSON.stringify({ error: { code: 'E_INVALID_REQUEST', message: 'agent: x' } }),
    );
    expect(exitCodeOf(invalid, false)).toBe(ExitCode.Usage);
    expect(describeError(invalid).code).toBe('E_INVALID_REQUEST');

    const fault = await refusal(
      500,
      JSON.stringify({ error: { code: 'E_INTERNAL', message: 'Internal server error' } }),
    );
    expect(fault).toMatchObject({ code: 'E_API', status: 500 });
    expect(exitCodeOf(fault, false)).toBe(ExitCode.Failures);
    expect(describeError(fault)).toEqual({
      code: 'E_INTERNAL',
      message: 'GET /v1/jobs: 500 Internal server error',
    });

    const bare = await refusal(502, 'Bad Gateway');
    expect(describeError(bare).code).toBe('E_HTTP_502');
  });
});

describe('describeError', () => {
  it('says a fault that is not a FlotillaError in one line, without its stack', () => {
    const { code, message } = describeError(
      new TypeError("Cannot read properties of undefined (reading 'length')"),
    );
    expect(code).toBe('E_INTERNAL');
    expect(message).toBe(
      "internal error: TypeError: Cannot read properties of undefined (reading 'length') (FLOTILLA_DEBUG=1 shows where; please report it)",
    );
    expect(describeError(new UsageError('bad flag'))).toEqual({ code: 'E_USAGE', message: 'bad flag' });
  });
});
