import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/workflow/index.js';
import { runCli, runCliInTerminal } from '../helpers/cli.js';

/*
 * What `flotilla run` does only at a terminal, on a real pseudo-terminal: it asks for a missing input
 * that has a `prompt`, and asks at each gate (yes or no, or the gate's options by number or name).
 */

const CLI_TEST_TIMEOUT_MS = 120_000;

const WORKFLOW = `schema_version: "1.0"
workflow:
  id: ask
  name: Ask
inputs:
  feature:
    type: string
    required: true
    prompt: "Feature to build"
steps:
  - id: say
    type: shell
    run: ["echo", "{{ inputs.feature }}"]
  - id: review
    type: gate
    message: "Review {{ inputs.feature }}"
    options: [approve, revise, reject]
  - id: confirm
    type: gate
    message: "Ship it?"
`;

let dir = '';
let file = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-terminal-'));
  file = join(dir, 'ask.yml');
  writeFileSync(file, WORKFLOW);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const home = () => join(dir, 'home');

/** The run the terminal session ended with, read back through `flotilla runs show --json`. */
async function storedRun(screen: string): Promise<RunView> {
  const id = /run_[0-9a-f]+/.exec(screen)?.[0];
  expect(id, screen).toBeDefined();
  const shown = await runCli(['runs', 'show', id!, '--home', home(), '--json'], { cwd: dir });
  expect(shown.code, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout) as RunView;
}

describe('flotilla run at a terminal', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('asks for the missing input, lists the gate options, asks again until an answer is one, and asks y/N', async () => {
    const { code, screen } = await runCliInTerminal(
      ['run', file, '--home', home()],
      [
        { after: 'Feature to build (feature): ', type: 'kanban board' },
        { after: 'choose: ', type: '7' },
        { after: 'choose: ', type: 'Revise' },
        { after: 'Ship it? [y/N] ', type: 'yes' },
      ],
      { cwd: dir },
    );
    expect(code, screen).toBe(0);
    expect(screen).toContain('review: Review kanban board');
    expect(screen).toContain('1) approve  2) revise  3) reject');
    const run = await storedRun(screen);
    expect(run.status).toBe('succeeded');
    expect(run.inputs).toEqual({ feature: 'kanban board' });
    expect(run.steps['say']!.output).toMatchObject({ stdout: 'kanban board' });
    expect(run.steps['review']!.output).toMatchObject({ approved: true, choice: 'revise' });
    expect(run.steps['confirm']!.output).toMatchObject({ approved: true });
  });

  it('a gate option chosen by number that rejects, and an empty y/N answer, reject', async () => {
    const first = await runCliInTerminal(
      ['run', file, '--home', home(), '--input', 'feature=search'],
      [{ after: 'choose: ', type: '3' }],
      { cwd: dir },
    );
    expect(first.screen).not.toContain('Feature to build');
    const rejected = await storedRun(first.screen);
    expect(rejected.steps['review']!.output).toMatchObject({ approved: false, choice: 'reject' });
    expect(rejected.status).toBe('failed');
    expect(first.code).toBe(1);

    const second = await runCliInTerminal(
      ['run', file, '--home', home(), '--input', 'feature=search'],
      [
        { after: 'choose: ', type: 'approve' },
        { after: 'Ship it? [y/N] ', type: '' },
      ],
      { cwd: dir },
    );
    const declined = await storedRun(second.screen);
    expect(declined.steps['confirm']!.output).toMatchObject({ approved: false });
    expect(declined.status).toBe('failed');
  });

  it('without a terminal nothing is asked: the missing input is an error naming it', async () => {
    const result = await runCli(['run', file, '--home', home()], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('feature');
    expect(result.stdout + result.stderr).not.toContain('Feature to build (feature)');
  });
});
