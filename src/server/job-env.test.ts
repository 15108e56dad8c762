import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createHarness, jsonRequest, matching, type Harness } from './server.fixture.js';

let harness: Harness;

async function submit(body: unknown) {
  const response = await harness.app.request('/v1/jobs', jsonRequest('POST', body));
  return { response, body: (await response.json()) as Record<string, unknown> };
}

/** Prints the variables a request may set; its profile lists, besides, names no request may ever set. */
const printer = {
  type: 'cli' as const,
  command: ['sh', '-c', 'echo "greeting=$GREETING mode=$MYAPP_MODE"'],
  env_allow: ['GREETING', 'MYAPP_*', 'NODE_OPTIONS', 'LD_PRELOAD', 'PATH', 'GIT_DIR', 'FLOTILLA_HOME'],
};

describe('the env of a job request', () => {
  it.each(['NODE_OPTIONS', 'LD_PRELOAD', 'PATH', 'GIT_DIR', 'FLOTILLA_HOME', 'path'])(
    'refuses %s with 400 naming the variable, even when the profile allows it, creating nothing',
    async (name) => {
      harness = await createHarness({ agents: { printer } });
      const { response, body } = await submit({ agent: 'printer', prompt: 'x', env: { [name]: 'v' } });
      expect(response.status).toBe(400);
      expect(body).toEqual({
        error: {
          code: 'E_INVALID_REQUEST',
          message: matching(`env.${name}: never accepted from a request`),
          field: `env.${name}`,
        },
      });
      expect(harness.store.jobs.list({}).items).toHaveLength(0);
    },
  );

  it('passes a variable the profile allows, by name or by prefix, through to the agent', async () => {
    harness = await createHarness({ agents: { printer } });
    const { response, body } = await submit({
      agent: 'printer',
      prompt: 'x',
      env: { GREETING: 'hello there', MYAPP_MODE: 'fast' },
    });
    expect(response.status).toBe(202);
    const done = await harness.jobs.wait(body.id as string);
    expect(done?.status).toBe('succeeded');
    expect(done?.result?.output).toBe('greeting=hello there mode=fast');
  });

  it('refuses a variable the profile does not allow, and every variable for a profile without env_allow', async () => {
    harness = await createHarness({ agents: { printer } });
    const listed = await submit({ agent: 'printer', prompt: 'x', env: { GREETING: 'hi', OTHER: 'x' } });
    expect(listed.response.status).toBe(400);
    expect(listed.body).toMatchObject({
      error: {
        field: 'env.OTHER',
        message: matching('env.OTHER: not in the env_allow of agent "printer" (it allows GREETING, MYAPP_*,'),
      },
    });
    // Names are compared as written: a prefix pattern is not a substring match, and case counts.
    for (const name of ['XMYAPP_MODE', 'greeting']) {
      expect((await submit({ agent: 'printer', prompt: 'x', env: { [name]: 'x' } })).response.status).toBe(
        400,
      );
    }
    const none = await submit({ agent: 'echo', prompt: 'x', env: { GREETING: 'hi' } });
    expect(none.response.status).toBe(400);
    expect(none.body).toMatchObject({
      error: { field: 'env.GREETING', message: matching('(it allows none;') },
    });
    expect(harness.store.jobs.list({}).items).toHaveLength(0);
  });

  it('no longer runs code given as NODE_OPTIONS: the marker the code would write is never created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-node-options-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const marker = join(dir, 'pwned');
    const code = `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "ran");`;
    harness = await createHarness();
    // `echo` is a Node program: before env_allow, this request ran `code` inside it.
    const { response, body } = await submit({
      agent: 'echo',
      prompt: 'x',
      env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(code)}` },
    });
    // Had a job been created, its end is when the marker would be there.
    if (response.status === 202) await harness.jobs.wait(body.id as string);
    expect(existsSync(marker)).toBe(false);
    expect(response.status).toBe(400);
  });
});
