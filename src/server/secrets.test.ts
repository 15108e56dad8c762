import { describe, expect, it } from 'vitest';
import { createHarness, jsonRequest } from './server.fixture.js';

const TOKEN = 'tok-3f9a1c-never-inherited';

/** What an agent and a shell step see: their whole environment, one variable a line. */
const WORKFLOW = `schema_version: 1
workflow: { id: env-dump }
steps:
  - { id: plain, type: shell, run: [env] }
  - { id: own, type: shell, run: [env], env: { STEP_VAR: mine } }
  - { id: agent, type: agent, agent: env, prompt: x }
`;

describe('the environment of what the server starts', () => {
  it('never holds the server’s token: not as FLOTILLA_TOKEN, not under another name', async () => {
    const harness = await createHarness({
      token: TOKEN,
      env: { ...process.env, FLOTILLA_TOKEN: TOKEN, COPY_OF_TOKEN: TOKEN, KEPT_VAR: 'kept' },
      agents: { env: { type: 'cli', command: ['env'] } },
    });
    const auth = { authorization: `Bearer ${TOKEN}` };

    const submitted = await harness.app.request(
      '/v1/jobs',
      jsonRequest('POST', { agent: 'env', prompt: 'x' }, auth),
    );
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const job = await harness.jobs.wait(id);
    expect(job?.status).toBe('succeeded');
    const agentEnv = job?.result?.output ?? '';
    expect(agentEnv).toContain('KEPT_VAR=kept');
    expect(agentEnv).not.toContain(TOKEN);

    const run = await harness.workflows.run(harness.workflows.parse(WORKFLOW), {}, { baseDir: process.cwd() })
      .done;
    expect(run.status).toBe('succeeded');
    for (const step of ['plain', 'own', 'agent']) {
      const output = JSON.stringify(run.steps[step]?.output);
      expect(output).toContain('KEPT_VAR=kept');
      expect(output).not.toContain(TOKEN);
    }
    expect(JSON.stringify(run.steps['own']?.output)).toContain('STEP_VAR=mine');
  });
});
