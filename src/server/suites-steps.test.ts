import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { suitesConfigSchema } from '../config/index.js';
import { createHarness, jsonRequest, type Harness } from './server.fixture.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-suites-http-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const JUNIT =
  '<testsuites><testsuite name="u" tests="1"><testcase classname="u" name="works"/></testsuite></testsuites>';

async function post(harness: Harness, body: unknown) {
  const response = await harness.app.request('/v1/runs', jsonRequest('POST', body));
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function finished(harness: Harness, id: string): Promise<Record<string, unknown>> {
  for (let turn = 0; turn < 3000; turn++) {
    const view = (await (await harness.app.request(`/v1/runs/${id}`)).json()) as Record<string, unknown>;
    if (view['status'] !== 'running') return view;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`run ${id} did not finish`);
}

describe('suites steps over HTTP', () => {
  it('run the configured suites with shell steps off; the output is the summary; evidence stays in the home', async () => {
    const suites = suitesConfigSchema.parse({
      run: {
        unit: {
          command: [
            process.execPath,
            '-e',
            `require('fs').writeFileSync(process.argv[1] + '/junit.xml', '${JUNIT}')`,
            '{out}',
          ],
          report: { format: 'junit', path: '{out}/junit.xml' },
        },
      },
    });
    const harness = await createHarness({ allowShellSteps: false, suites });
    const workflow =
      'schema_version: 1\nworkflow: { id: t }\nsteps: [{ id: tests, type: suites, suites: [unit] }]';
    const { status, json } = await post(harness, { workflow });
    expect(status).toBe(202);
    const view = await finished(harness, json['id'] as string);
    expect(view['status']).toBe('succeeded');
    const output = (view['steps'] as Record<string, { output: Record<string, unknown> }>)['tests']!.output;
    expect(output).toMatchObject({
      exit_code: 0,
      totals: { total: 1, passed: 1 },
      suites: [{ name: 'unit', status: 'passed', attempts: 1 }],
    });
    expect(output['evidence']).toMatch(new RegExp(`^${harness.config.home}/suites/suites_`));
    expect(existsSync(join(output['evidence'] as string, 'manifest.json'))).toBe(true);
  });

  it('never let a caller choose where evidence is written, nor run a suite the configuration lacks', async () => {
    const harness = await createHarness({
      suites: suitesConfigSchema.parse({ run: { unit: { command: ['true'] } } }),
    });
    const elsewhere = join(dir, 'planted');
    const chosen = await post(harness, {
      workflow: `schema_version: 1\nworkflow: { id: t }\nsteps: [{ id: tests, type: suites, evidence: "${elsewhere}" }]`,
    });
    expect(chosen.status).toBe(400);
    expect(JSON.stringify(chosen.json)).toContain('evidence: unknown key');
    expect(existsSync(elsewhere)).toBe(false);

    const unknown = await post(harness, {
      workflow:
        'schema_version: 1\nworkflow: { id: t }\nsteps: [{ id: tests, type: suites, suites: [deploy] }]',
    });
    expect(unknown.status).toBe(202);
    const view = await finished(harness, unknown.json['id'] as string);
    expect(view['status']).toBe('failed');
    expect(JSON.stringify(view)).toContain('unknown suite \\"deploy\\" (expected one of: unit)');
  });
});
