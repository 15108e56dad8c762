import { describe, expect, it } from 'vitest';
import { isOpenAiPath, openAiError } from './openai-error.js';
import { ANY_STRING, createHarness, jsonRequest } from './server.fixture.js';

describe('openAiError', () => {
  it('gives OpenAI’s type and code where OpenAI has one, and Flotilla’s code beside them', () => {
    expect(openAiError({ code: 'E_UNAUTHORIZED', message: 'no' }, 401)).toEqual({
      message: 'no',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
      flotilla_code: 'E_UNAUTHORIZED',
    });
    expect(
      openAiError({ code: 'E_NOT_FOUND', message: 'no', field: 'model' }, 404, 'model_not_found'),
    ).toEqual({
      message: 'no',
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
      flotilla_code: 'E_NOT_FOUND',
      field: 'model',
    });
    expect(openAiError({ code: 'E_QUEUE_FULL', message: 'full' }, 429)).toMatchObject({
      type: 'requests',
      code: 'rate_limit_exceeded',
    });
    expect(openAiError({ code: 'E_AGENT_FAILED', message: 'failed' }, 424)).toMatchObject({
      type: 'server_error',
      code: 'E_AGENT_FAILED',
    });
    expect(openAiError({ code: 'E_INTERNAL', message: 'Internal server error' }, 500)).toMatchObject({
      type: 'server_error',
      code: 'E_INTERNAL',
    });
  });

  it('is for the OpenAI-compatible routes only', () => {
    expect(['/v1/models', '/v1/models/echo', '/v1/chat/completions'].every(isOpenAiPath)).toBe(true);
    expect(['/v1/jobs', '/v1/modelsx', '/v1/runs/1', '/health'].some(isOpenAiPath)).toBe(false);
  });
});

describe('errors of the OpenAI-compatible routes', () => {
  const openAiShape = (flotillaCode: string, code = flotillaCode) => ({
    error: {
      message: ANY_STRING,
      type: ANY_STRING,
      param: null,
      code,
      flotilla_code: flotillaCode,
    },
  });

  it('are in OpenAI’s shape, refusals of the bearer check and unknown routes included', async () => {
    const harness = await createHarness({ token: 'secret' });
    const auth = { authorization: 'Bearer secret' };
    const body = { model: 'echo', messages: [{ role: 'user', content: 'x' }] };
    const unauthorized = await harness.app.request('/v1/chat/completions', jsonRequest('POST', body));
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual(openAiShape('E_UNAUTHORIZED', 'invalid_api_key'));
    const noRoute = await harness.app.request('/v1/chat/nothing', { headers: auth });
    expect(noRoute.status).toBe(404);
    expect(await noRoute.json()).toEqual(openAiShape('E_NOT_FOUND'));
    const notJson = await harness.app.request('/v1/chat/completions', jsonRequest('POST', '{', auth));
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      error: { ...openAiShape('E_INVALID_JSON').error, param: 'body', field: 'body' },
    });
  });

  it('leave the other routes’ errors in Flotilla’s own shape', async () => {
    const harness = await createHarness({ token: 'secret' });
    const unauthorized = await harness.app.request('/v1/jobs');
    expect(await unauthorized.json()).toEqual({
      error: {
        code: 'E_UNAUTHORIZED',
        message: 'This server needs a bearer token (Authorization: Bearer …)',
      },
    });
    const noRoute = await harness.app.request('/v1/nothing', { headers: { authorization: 'Bearer secret' } });
    expect(await noRoute.json()).toEqual({
      error: { code: 'E_NOT_FOUND', message: 'No route GET /v1/nothing' },
    });
  });
});
