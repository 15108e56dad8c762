import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { BUILTIN_STEP_TYPES } from '../steps/index.js';
import { WorkflowEngine } from './workflow-engine.js';

/*
 * The behaviours spec-kit's workflow files rely on, through the engine with real shell processes:
 * switch, bounded loops, continue_on_error, fan-in mapping, gate options and verdicts, resume with new
 * inputs, shell timeouts/stderr/cwd/context, max_concurrency resolved at run time, quoting-aware
 * interpolation, and the load-time refusals.
 */

let dir = '';
let store: Store;
let engine: WorkflowEngine;

beforeEach(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'flotilla-speckit-steps-')));
  store = openStore({ home: join(dir, 'home') });
  engine = new WorkflowEngine({
    store,
    stepTypes: BUILTIN_STEP_TYPES,
    agents: ['claude'],
    heartbeatMs: 60_000,
  });
  await engine.start();
});

afterEach(async () => {
  await engine.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const HEAD = 'schema_version: "1.0"\nworkflow: { id: t }\n';

function parse(body: string, file?: string) {
  return engine.parse(HEAD + body, file === undefined ? {} : { file });
}

async function run(body: string, inputs: Record<string, unknown> = {}) {
  const view = await engine.run(parse(body), inputs, { baseDir: dir }).done;
  return view;
}

function loadError(body: string): string {
  try {
    parse(body);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the workflow to be refused');
}

describe('control flow', () => {
  it('switch runs the case named by the trimmed value, else default', async () => {
    const body = `inputs: { verdict: { type: string } }
steps:
  - id: say
    type: shell
    run: "echo {{ inputs.verdict }}"
  - id: route
    type: switch
    expression: "{{ steps.say.output.stdout }}"
    cases:
      approve: [{ id: yes, type: shell, run: [echo, shipped] }]
    default: [{ id: no, type: shell, run: [echo, held] }]
`;
    const shipped = await run(body, { verdict: 'approve' });
    expect(shipped.steps['route']!.output).toMatchObject({
      matched_case: 'approve',
      outputs: { yes: { stdout: 'shipped' } },
    });
    const held = await run(body, { verdict: 'later' });
    expect(held.steps['route']!.output).toMatchObject({
      matched_case: '__default__',
      outputs: { no: { stdout: 'held' } },
    });
  });

  it('while stops when its condition turns false, reading the body; an always-true one stops at max_iterations', async () => {
    const counter = join(dir, 'count');
    writeFileSync(counter, '0');
    const view = await run(`steps:
  - id: loop
    type: while
    condition: "{{ steps.bump.output.stdout | default('0') < 3 }}"
    max_iterations: 10
    steps:
      - id: bump
        type: shell
        run: [sh, -c, 'n=$(($(cat "$0") + 1)); echo $n > "$0"; echo $n', "${counter}"]
  - id: forever
    type: do-while
    condition: true
    max_iterations: 4
    steps: [{ id: tick, type: shell, run: [echo, tick] }]
`);
    expect(view.status, view.error ?? '').toBe('succeeded');
    expect(view.steps['loop']!.output).toMatchObject({
      iterations: 3,
      exhausted: false,
      condition_result: false,
    });
    expect(view.steps['forever']!.output).toMatchObject({ iterations: 4, exhausted: true });
    // Each iteration is its own record: a resumed run skips the ones that finished.
    expect(
      store.items
        .listForRun(view.id)
        .filter((item) => item.itemId.startsWith('forever:'))
        .map((item) => item.itemId),
    ).toEqual(['forever:1:tick', 'forever:2:tick', 'forever:3:tick', 'forever:4:tick']);
  });

  it('continue_on_error on any step keeps the run going with the failed output readable; on a template it does not halt the fan-out', async () => {
    const view = await run(`steps:
  - id: flaky
    type: shell
    continue_on_error: true
    run: [sh, -c, 'echo half; echo broke >&2; exit 3']
  - id: after
    type: shell
    run: [echo, "{{ steps.flaky.output.exit_code }} {{ steps.flaky.output.stderr }}"]
  - id: each
    type: fan-out
    items: [0, 1, 2]
    max_concurrency: 1
    step: { id: check, type: shell, continue_on_error: true, run: [test, "{{ item }}", "!=", "1"] }
  - id: gather
    type: fan-in
    wait_for: [each]
    output:
      codes: "{{ fan_in.results[0].results | map('exit_code') }}"
`);
    expect(view.status, view.error ?? '').toBe('succeeded');
    expect(view.steps['flaky']).toMatchObject({ status: 'failed', output: { exit_code: 3, stdout: 'half' } });
    expect(view.steps['after']!.output).toMatchObject({ stdout: '3 broke' });
    expect(view.steps['each']!.output).toMatchObject({ item_count: 3, counts: { succeeded: 2, failed: 1 } });
    expect(view.steps['gather']!.output).toMatchObject({ codes: [0, 1, 0] });
  });
});

describe('gates', () => {
  const GATE = `inputs: { verdict: { type: string, default: "" } }
steps:
  - id: review
    type: gate
    message: Review?
    options: [approve, revise, reject]
    on_reject: ON_REJECT
    verdict_input: verdict
  - id: after
    type: shell
    run: [echo, "{{ steps.review.output.choice }}"]
`;

  it('a verdict input decides; skip goes on after a rejection; a value that is no option fails', async () => {
    const skipped = await run(GATE.replace('ON_REJECT', 'skip'), { verdict: 'REJECT' });
    expect(skipped.status).toBe('succeeded');
    expect(skipped.steps['review']!.output).toMatchObject({
      approved: false,
      choice: 'reject',
      skipped: true,
      by: 'input:verdict',
    });
    expect(skipped.steps['after']!.output).toMatchObject({ stdout: 'reject' });
    const bad = await run(GATE.replace('ON_REJECT', 'abort'), { verdict: 'maybe' });
    expect(bad.status).toBe('failed');
    expect(bad.error).toContain('verdict input "verdict" is "maybe", not one of: approve, revise, reject');
  });

  it('retry consumes a rejecting verdict and pauses again; resume --input gives the next verdict', async () => {
    const definition = parse(GATE.replace('ON_REJECT', 'retry'));
    const first = await engine.run(definition, { verdict: 'reject' }, { baseDir: dir }).done;
    expect(first.status).toBe('paused');
    expect(store.runs.get(first.id)!.inputs).toEqual({ verdict: '' });
    expect(() => engine.resume(first.id, { inputs: { colour: 'x' } })).toThrow(/unknown input "colour"/);
    const resumed = await engine.resume(first.id, { inputs: { verdict: 'revise' } }).done;
    expect(resumed.status).toBe('succeeded');
    expect(resumed.steps['after']!.output).toMatchObject({ stdout: 'revise' });
  });

  it('approve takes a choice among the options and refuses one that is not', async () => {
    const paused = await run(GATE.replace('ON_REJECT', 'abort'));
    expect(paused.waiting).toMatchObject([{ item_id: 'review', message: 'Review?' }]);
    expect(() => engine.approve(paused.id, { approved: true, choice: 'ship' })).toThrow(
      'review has no option "ship" (options: approve, revise, reject)',
    );
    engine.approve(paused.id, { approved: true, choice: 'revise', by: 'ana' });
    const done = await engine.resume(paused.id).done;
    expect(done.steps['review']!.output).toMatchObject({ approved: true, choice: 'revise', by: 'ana' });
  });
});

describe('shell steps as spec-kit writes them', () => {
  it('timeout:, stderr, the working directory where the run started, context.workflow_dir and SPECKIT_WORKFLOW_DIR, context.run_id', async () => {
    const flows = join(dir, 'flows');
    execFileSync('mkdir', ['-p', flows]);
    const file = join(flows, 'wf.yml');
    const definition = parse(
      `steps:
  - id: where
    type: shell
    run: [sh, -c, 'pwd; echo "$SPECKIT_WORKFLOW_DIR"; echo "$0 $1"', "{{ context.workflow_dir }}", "{{ context.run_id }}"]
  - id: slow
    type: shell
    timeout: 0.2
    run: [sleep, "5"]
`,
      file,
    );
    const view = await engine.run(definition, {}, { baseDir: dir }).done;
    expect(view.steps['where']!.output).toMatchObject({ stdout: `${dir}\n${flows}\n${flows} ${view.id}` });
    expect(view.steps['slow']).toMatchObject({ status: 'timed_out' });
    expect(view.error).toContain('slow: timed out after 0.2 s');
  });

  it('a value arrives as one intact argument bare, in single and in double quotes, whatever it holds', async () => {
    const argv = 'node -e "console.log(JSON.stringify(process.argv.slice(1)))"';
    const hostile = [`; touch PWNED`, `$(touch PWNED)`, '`touch PWNED`', `it's "quoted"`, 'a\\b $HOME'];
    const view = await run(
      `inputs: { v: { type: string } }
steps:
  - id: bare
    type: shell
    run: '${argv} {{ inputs.v }}'
  - id: single
    type: shell
    run: "printf '%s' '{{ inputs.v }}'"
  - id: double
    type: shell
    run: '${argv} "x-{{ inputs.v }}-y"'
`,
      { v: hostile.join(' | ') },
    );
    expect(view.status, view.error ?? '').toBe('succeeded');
    const value = hostile.join(' | ');
    expect(JSON.parse((view.steps['bare']!.output as { stdout: string }).stdout)).toEqual([value]);
    expect((view.steps['single']!.output as { stdout: string }).stdout).toBe(value);
    expect(JSON.parse((view.steps['double']!.output as { stdout: string }).stdout)).toEqual([`x-${value}-y`]);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  });
});

describe('fan-out max_concurrency', () => {
  it('an expression resolves at run time; "3" is 3; a bad value fails the step naming field and value', async () => {
    const body = `inputs: { n: { type: string } }
steps:
  - id: each
    type: fan-out
    items: [a, b]
    max_concurrency: "{{ inputs.n }}"
    step: { id: say, type: shell, run: [echo, "{{ item }}"] }
`;
    const good = await run(body, { n: '3' });
    expect(good.steps['each']!.output).toMatchObject({
      max_concurrency: 3,
      results: [{ stdout: 'a' }, { stdout: 'b' }],
    });
    const bad = await run(body, { n: 'lots' });
    expect(bad.status).toBe('failed');
    expect(bad.error).toBe('each: max_concurrency: expected an integer ≥ 1, got "lots"');
  });
});

describe('refused at load, naming the field', () => {
  it('a condition without {{ }}, an unknown integration, a verdict input not declared, context fields', () => {
    const message = loadError(`steps:
  - id: big
    type: if
    condition: inputs.count > 100
    then: [{ id: a, type: shell, run: [echo] }]
  - id: ask
    type: prompt
    integration: gemini
    prompt: hi
  - id: review
    type: gate
    verdict_input: nope
  - id: show
    type: shell
    run: [echo, "{{ context.user }}"]
  - id: sub
    type: shell
    run: 'echo "$(echo {{ context.run_id }})"'
`);
    expect(message).toContain('steps[0] (big).condition: "inputs.count > 100" has no "{{ }}"');
    expect(message).toContain('write "{{ inputs.count > 100 }}"');
    expect(message).toContain(
      'steps[1] (ask).integration: "gemini" is not an agent profile of the configuration (profiles: claude)',
    );
    expect(message).toContain('steps[2] (review).verdict_input: no input "nope" (none are declared)');
    expect(message).toContain('context.user: no such field (known: run_id, workflow_dir)');
    expect(message).toMatch(/steps\[4\] \(sub\)\.run: .*\$\(/);
  });

  it("every copy of spec-kit's own workflow files loads", async () => {
    const fixtures = fileURLToPath(new URL('../../../test/fixtures/speckit/', import.meta.url));
    const agents = new WorkflowEngine({
      store,
      stepTypes: BUILTIN_STEP_TYPES,
      agents: ['copilot', 'claude', 'codex'],
    });
    for (const name of [
      'speckit.yml',
      'orchestrated-implement-shell.yml',
      'pipeline.yml',
      'ai-team-sdd.yml',
      'ai-team-bugfix.yml',
    ]) {
      const definition = await agents.load(join(fixtures, name));
      expect(definition.schema_version).toBe(1);
      expect(readFileSync(join(fixtures, name), 'utf8')).toMatch(/^schema_version: ["']1\.0["']$/m);
    }
  });
});
