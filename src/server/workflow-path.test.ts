import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './server.fixture.js';

/** Looks like a credential: it must never appear in an answer about a file outside the folder. */
const SECRET = 'sk-live-4f9a0c2e7b1d';

let dir = '';
let folder = '';
let outside = '';
let harness: Harness;
let url = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-workflow-path-'));
  folder = join(dir, 'workflows');
  outside = join(dir, 'elsewhere');
  mkdirSync(join(folder, 'nested'), { recursive: true });
  mkdirSync(outside);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function serve(workflowsDir?: string): Promise<void> {
  harness = await createHarness(workflowsDir === undefined ? {} : { workflowsDir });
  url = (await harness.listen()).url;
}

/** A workflow whose shell step touches `marker`: the proof that it ran. */
function touching(marker: string, extra = ''): string {
  return `schema_version: 1
workflow: { id: touch }
steps:
  - id: touch
    type: shell
    run: [touch, "${marker}"]
${extra}`;
}

async function start(workflow: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workflow }),
  });
  return { status: response.status, text: await response.text() };
}

async function finished(text: string): Promise<void> {
  const { id } = JSON.parse(text) as { id: string };
  const response = await fetch(`${url}/v1/runs/${id}/events`);
  for await (const chunk of response.body!) void chunk; // the stream ends when the run stops
}

describe('POST /v1/runs with a workflow path', () => {
  it('is refused when the server has no workflows folder, saying that YAML text can be sent instead', async () => {
    await serve();
    const file = join(outside, 'fine.yml');
    writeFileSync(file, touching(join(dir, 'ran')));
    for (const workflow of [file, 'fine.yml']) {
      const { status, text } = await start(workflow);
      expect(status).toBe(400);
      const { error } = JSON.parse(text) as { error: { code: string; field: string; message: string } };
      expect(error).toMatchObject({ code: 'E_INVALID_REQUEST', field: 'workflow' });
      expect(error.message).toMatch(/no workflows folder.*server\.workflows_dir.*YAML text/);
    }
    expect(harness.store.runs.list({}).items).toEqual([]);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('never reads a file outside the folder: .., absolute paths and symlinks out are refused alike', async () => {
    await serve(folder);
    // Outside: a valid workflow that would run, and one whose invalid value is a secret.
    const marker = join(dir, 'ran');
    writeFileSync(join(outside, 'runs.yml'), touching(marker));
    writeFileSync(
      join(outside, 'secret.yml'),
      touching(marker, `  - id: leak\n    type: shell\n    run: "${SECRET}"\n    api_key: ${SECRET}\n`),
    );
    symlinkSync(join(outside, 'secret.yml'), join(folder, 'link.yml'));
    symlinkSync(outside, join(folder, 'out'));

    const refused = [
      join(outside, 'runs.yml'),
      join(outside, 'secret.yml'),
      '../elsewhere/secret.yml',
      'nested/../../elsewhere/secret.yml',
      `${folder}/../elsewhere/secret.yml`,
      'link.yml',
      'out/secret.yml',
      join(folder, 'out', 'runs.yml'),
      '/etc/hostname.yml',
    ];
    const messages: string[] = [];
    for (const workflow of refused) {
      const { status, text } = await start(workflow);
      expect({ workflow, status }).toEqual({ workflow, status: 400 });
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('api_key');
      const { error } = JSON.parse(text) as { error: { code: string; message: string } };
      expect(error.code).toBe('E_INVALID_REQUEST');
      messages.push(error.message.replace(JSON.stringify(workflow), 'PATH'));
    }
    // One answer, whether the file exists or not: nothing is told about the disk outside the folder.
    expect(new Set(messages)).toEqual(
      new Set([
        "workflow: PATH is not in the server's workflows folder: name a file in it by its path relative " +
          'to the folder, or send the YAML text of the workflow',
      ]),
    );
    expect(harness.store.runs.list({}).items).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('loads a file of the folder by a relative or an absolute path', async () => {
    await serve(folder);
    writeFileSync(join(folder, 'top.yml'), touching(join(dir, 'top')));
    writeFileSync(join(folder, 'nested', 'deep.yaml'), touching(join(dir, 'deep')));
    // A symlink that stays inside the folder is fine.
    symlinkSync(join(folder, 'nested', 'deep.yaml'), join(folder, 'alias.yaml'));
    for (const [workflow, marker] of [
      ['top.yml', 'top'],
      ['nested/deep.yaml', 'deep'],
      [join(folder, 'top.yml'), 'top'],
      ['./nested/../alias.yaml', 'deep'],
    ] as const) {
      rmSync(join(dir, marker), { force: true });
      const { status, text } = await start(workflow);
      expect({ workflow, status }).toEqual({ workflow, status: 202 });
      await finished(text);
      expect(existsSync(join(dir, marker))).toBe(true);
    }

    const missing = await start('nowhere.yml');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toMatchObject({
      error: {
        code: 'E_INVALID_REQUEST',
        message: `workflow: no workflow file "nowhere.yml" in the server's workflows folder`,
      },
    });
    // A workflow of the folder is the operator's: its problems are told with their line and column.
    writeFileSync(join(folder, 'bad.yml'), 'schema_version: 1\nworkflow: { id: bad }\nsteps: 3\n');
    const bad = await start('bad.yml');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({
      error: { code: 'E_WORKFLOW_INVALID', issues: [{ line: 3 }] },
    });
  });
});
