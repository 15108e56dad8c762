import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../core/index.js';
import { parseWorkflow, WorkflowError } from '../index.js';

const yaml = (lines: readonly string[]) => lines.join('\n') + '\n';

/** The `WorkflowError` that parsing `lines` as `wf.yaml` must throw. */
function failure(lines: readonly string[]): WorkflowError {
  try {
    parseWorkflow(yaml(lines), { file: 'wf.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowError);
    expect(error).toBeInstanceOf(FlotillaError);
    expect((error as WorkflowError).code).toBe('E_WORKFLOW_INVALID');
    return error as WorkflowError;
  }
  throw new Error('expected parseWorkflow to throw');
}

/** A file's head, then `steps:` and the given lines (so the first step's `- id:` is on line 4). */
const HEAD = ['schema_version: 1', 'workflow: { id: wf }', 'steps:'];
const withSteps = (...lines: string[]) => [...HEAD, ...lines];

/** What a bad literal `max_concurrency` is told it should be. */
const MAX_CONCURRENCY = 'expected an integer ≥ 1 (or "3", or one "{{ expression }}")';

describe('parseWorkflow: errors name the file, line, column, step and field', () => {
  it.each([
    ['"0"', `${MAX_CONCURRENCY}, got "0"`],
    ['"four"', `${MAX_CONCURRENCY}, got "four"`],
    ['0', 'expected an integer ≥ 1, got 0'],
    ['-1', 'expected an integer ≥ 1, got -1'],
    ['2.5', `${MAX_CONCURRENCY}, got 2.5`],
    ['true', `${MAX_CONCURRENCY}, got true`],
    ['null', `${MAX_CONCURRENCY}, got an empty value`],
  ])(
    'max_concurrency: %s is refused at load (an integer, "3", or an expression checked when it resolves)',
    (found, text) => {
      const error = failure(
        withSteps(
          '  - id: first',
          '    type: gate',
          '  - id: build',
          '    type: fan-out',
          '    items: [1, 2]',
          `    max_concurrency: ${found}`,
          '    step: { id: one, type: gate }',
        ),
      );
      expect(error.message).toBe(`wf.yaml:9:22: steps[1] (build).max_concurrency: ${text}`);
      expect(error).toMatchObject({
        file: resolve('wf.yaml'),
        line: 9,
        column: 22,
        path: 'steps[1].max_concurrency',
        step: 'build',
      });
      expect(error.issues).toHaveLength(1);
    },
  );

  it.each([
    [
      ['  - id: a', '    type: shell', '    run: []'],
      6,
      10,
      'steps[0] (a).run: expected a non-empty list of strings, got an empty list',
    ],
    [['  - id: a', '    type: shell'], 4, 5, 'steps[0] (a).run: missing, expected a non-empty string'],
    [
      ['  - id: a', '    type: shell', '    run: [ls]', '    env: { N: 1 }'],
      7,
      15,
      'steps[0] (a).env.N: expected a string, got 1',
    ],
    [
      ['  - id: a', '    type: shell', '    run: [ls]', '    env: { "A-B": x }'],
      7,
      12,
      'steps[0] (a).env.A-B: expected a variable name',
    ],
    [
      ['  - id: a', '    type: shell', '    run: [ls]', '    output_format: yaml'],
      7,
      20,
      'steps[0] (a).output_format: expected one of: text, lines, json, got "yaml"',
    ],
    [
      ['  - id: a', '    type: shell', '    run: [ls]', '    timeout_s: 0'],
      7,
      16,
      'steps[0] (a).timeout_s: expected a number of seconds > 0, got 0',
    ],
    [
      ['  - id: a', '    type: agent', '    prompt: hi'],
      4,
      5,
      'steps[0] (a).agent: missing, expected a non-empty string',
    ],
    [
      ['  - id: a', '    type: fan-in', '    wait_for: []'],
      6,
      15,
      'steps[0] (a).wait_for: expected a step id or a non-empty list of step ids, got an empty list',
    ],
    [
      ['  - id: a', '    type: if', '    condition: true'],
      4,
      5,
      'steps[0] (a).then: missing, expected a list of steps',
    ],
    [
      ['  - id: a', '    type: if', '    then: []'],
      4,
      5,
      'steps[0] (a).condition: missing, expected an expression',
    ],
    [
      ['  - id: a', '    type: if', '    condition: true', '    then: { id: b, type: gate }'],
      7,
      11,
      'steps[0] (a).then: expected a list of steps, got a mapping',
    ],
    [
      ['  - id: a', '    type: fan-out', '    items: []'],
      4,
      5,
      'steps[0] (a).step: missing, expected a step',
    ],
    [
      ['  - id: a', '    type: fan-out', '    items: []', '    step: [{ id: b, type: gate }]'],
      7,
      11,
      'steps[0] (a).step: expected one step (a mapping with id and type), got a list',
    ],
    [
      [
        '  - id: a',
        '    type: fan-out',
        '    items: []',
        '    retries: -1',
        '    step: { id: b, type: gate }',
      ],
      7,
      14,
      'steps[0] (a).retries: expected an integer ≥ 0, got -1',
    ],
    [
      [
        '  - id: a',
        '    type: fan-out',
        '    items: []',
        '    continue_on_error: "yes"',
        '    step: { id: b, type: gate }',
      ],
      7,
      24,
      'steps[0] (a).continue_on_error: expected true or false, got "yes"',
    ],
    [
      ['  - id: a', '    type: fan-out', '    items: 3', '    step: { id: b, type: gate }'],
      6,
      12,
      'steps[0] (a).items: expected a list or one "{{ expression }}"',
    ],
    [
      [
        '  - id: a',
        '    type: fan-out',
        '    items: "{{ inputs.x }}, more"',
        '    step: { id: b, type: gate }',
      ],
      6,
      12,
      'steps[0] (a).items: expected a list or exactly one "{{ expression }}" (nothing around it)',
    ],
    [
      ['  - id: a', '    type: gate', '    message: 5'],
      6,
      14,
      'steps[0] (a).message: expected a string, got 5',
    ],
    [
      ['  - id: a', '    type: gate', '    name: [x]'],
      6,
      11,
      'steps[0] (a).name: expected a string, got a list',
    ],
  ])('%j', (lines, line, column, text) => {
    const error = failure(withSteps(...lines));
    expect(error.message).toContain(`wf.yaml:${line}:${column}: ${text}`);
  });
});

describe('parseWorkflow: the top level', () => {
  it('schema_version is required and must be 1 (spec-kit writes "1.0")', () => {
    expect(failure(['workflow: { id: wf }', 'steps: [{ id: a, type: gate }]']).message).toBe(
      'wf.yaml:1:1: schema_version: missing, expected 1 or "1.0" (the only schema version there is)',
    );
    expect(
      failure(['schema_version: "2.0"', 'workflow: { id: wf }', 'steps: [{ id: a, type: gate }]']).message,
    ).toBe('wf.yaml:1:17: schema_version: expected 1 or "1.0" (the only schema version there is), got "2.0"');
  });

  it('an unknown key, at the key', () => {
    const error = failure([...HEAD, '  - { id: a, type: gate }', 'output: x']);
    expect(error.message).toBe(
      'wf.yaml:5:1: output: unknown key (expected one of: schema_version, workflow, requires, inputs, steps)',
    );
  });

  it('the workflow id is required and plain', () => {
    expect(
      failure(['schema_version: 1', 'workflow: { name: x }', 'steps: [{ id: a, type: gate }]']).message,
    ).toBe('wf.yaml:2:1: workflow.id: missing, expected a workflow id (letters, digits, _, . and -)');
    expect(
      failure(['schema_version: 1', 'workflow: { id: a/b }', 'steps: [{ id: a, type: gate }]']).message,
    ).toBe('wf.yaml:2:17: workflow.id: expected a workflow id (letters, digits, _, . and -), got "a/b"');
  });

  it('steps must be a non-empty list', () => {
    expect(failure(['schema_version: 1', 'workflow: { id: wf }', 'steps: []']).message).toBe(
      'wf.yaml:3:8: steps: expected a non-empty list of steps, got an empty list',
    );
    expect(failure(['schema_version: 1', 'workflow: { id: wf }']).message).toBe(
      'wf.yaml:1:1: steps: missing, expected a non-empty list of steps',
    );
  });

  it('inputs: a type from the list; a default and enum values that fit it', () => {
    const error = failure([
      'schema_version: 1',
      'workflow: { id: wf }',
      'inputs:',
      '  a: { type: text }',
      '  b: { type: number, default: "3" }',
      '  c: { type: string, enum: [x, y], default: z }',
      '  d: { type: integer, enum: [1, 2.5] }',
      '  e: { type: boolean, required: "no" }',
      '  f g: { type: string }',
      'steps: [{ id: a, type: gate }]',
    ]);
    expect(error.message.split('\n')).toEqual([
      'wf.yaml: 6 problems',
      '  wf.yaml:4:14: inputs.a.type: expected one of: string, number, integer, boolean, array, object, got "text"',
      '  wf.yaml:5:31: inputs.b.default: expected a number, got "3"',
      '  wf.yaml:6:45: inputs.c.default: expected one of: "x", "y", got "z"',
      '  wf.yaml:7:33: inputs.d.enum[1]: expected an integer, got 2.5',
      '  wf.yaml:8:33: inputs.e.required: expected true or false, got "no"',
      '  wf.yaml:9:3: inputs["f g"]: expected an input name (letters, digits, _ and -, not starting with a digit or -), got "f g"',
    ]);
  });

  it('a YAML syntax error names its line', () => {
    const error = failure([...HEAD, '  - id: a', '    type: gate', '    message: [unclosed', '  - id: b']);
    expect(error.message).toMatch(/^wf\.yaml:7:3: invalid YAML: Flow sequence in block collection/);
    expect(error.line).toBe(7);
  });

  it('a file that is not a mapping', () => {
    expect(failure(['- a', '- b']).message).toBe(
      'wf.yaml:1:1: expected a mapping with schema_version, workflow and steps',
    );
    expect(failure([]).message).toBe(
      'wf.yaml:1:1: expected a mapping with schema_version, workflow and steps',
    );
  });
});

describe('parseWorkflow: steps', () => {
  it('id and type are required; the id is a plain name without ":"', () => {
    const error = failure([
      ...HEAD,
      '  - type: gate', // 4
      '  - id: "a:b"',
      '    type: gate',
      '  - id: 7up',
      '    type: gate',
      '  - id: ok', // 9
      '  - id: ok2',
      '    type: shel',
      '  - just text',
    ]);
    expect(error.message.split('\n')).toEqual([
      'wf.yaml: 6 problems',
      '  wf.yaml:4:5: steps[0].id: missing, expected a step id (letters, digits, _ and -, starting with a letter or _)',
      `  wf.yaml:5:9: steps[1].id: a step id may not contain ':' (item ids use it), got "a:b"`,
      '  wf.yaml:7:9: steps[2].id: expected a step id (letters, digits, _ and -, starting with a letter or _), got "7up"',
      '  wf.yaml:9:5: steps[3] (ok).type: missing (expected one of: shell, agent, command, prompt, fan-out, fan-in, if, switch, while, do-while, gate, init)',
      '  wf.yaml:11:11: steps[4] (ok2).type: unknown step type "shel" (expected one of: shell, agent, command, prompt, fan-out, fan-in, if, switch, while, do-while, gate, init)',
      '  wf.yaml:12:5: steps[5]: expected a step (a mapping with id and type), got "just text"',
    ]);
    expect(error.issues.map(({ step }) => step)).toEqual([
      undefined,
      undefined,
      undefined,
      'ok',
      'ok2',
      undefined,
    ]);
  });

  it('an unknown key of a step lists the keys its type has', () => {
    const error = failure([...HEAD, '  - id: build', '    type: shell', '    run: make', '    timeouts: 5']);
    expect(error.message).toBe(
      'wf.yaml:7:5: steps[0] (build).timeouts: unknown key (expected one of: id, type, name, continue_on_error, run, timeout_s, timeout, output_format, env, cwd)',
    );
  });

  it('nested steps are checked too, with their own path and id', () => {
    const error = failure([
      ...HEAD,
      '  - id: outer',
      '    type: fan-out',
      '    items: [1]',
      '    step:',
      '      id: inner',
      '      type: if',
      '      condition: "{{ item }}"',
      '      then:',
      '        - id: deep',
      '          type: shell',
      '          run: [ls]',
      '          output_format: csv',
    ]);
    expect(error.message).toBe(
      'wf.yaml:15:26: steps[0].step.then[0] (deep).output_format: expected one of: text, lines, json, got "csv"',
    );
    expect(error).toMatchObject({ path: 'steps[0].step.then[0].output_format', step: 'deep' });
  });

  it('duplicate ids anywhere in the file: the error names both lines', () => {
    const error = failure([
      ...HEAD,
      '  - id: build',
      '    type: gate',
      '  - id: each',
      '    type: fan-out',
      '    items: [1]',
      '    step:',
      '      id: build',
      '      type: gate',
    ]);
    expect(error.message).toBe(
      'wf.yaml:10:11: steps[1].step (build).id: duplicate step id "build" (first used at line 4)',
    );
  });
});

describe('parseWorkflow: expressions and references', () => {
  const INPUTS = [
    'schema_version: 1',
    'workflow: { id: wf }',
    'inputs: { name: { type: string } }',
    'steps:',
  ];

  it('an expression that does not parse: its column in a plain, a quoted and a block value', () => {
    const error = failure([
      ...INPUTS,
      '  - id: a', // 5
      '    type: shell',
      '    run: echo {{ inputs.name = 1 }}',
      '    env: { X: "v={{ inputs. }}" }',
      '    cwd: |',
      '      first line', // 10
      "      {{ 'unterminated }}",
    ]);
    expect(error.message.split('\n')).toEqual([
      'wf.yaml: 3 problems',
      `  wf.yaml:7:30: steps[0] (a).run: invalid expression: unexpected character '=' (did you mean '=='?)`,
      `  wf.yaml:8:29: steps[0] (a).env.X: invalid expression: expected a name after '.', found the end of the expression`,
      `  wf.yaml:11:10: steps[0] (a).cwd: invalid expression: unterminated string (no closing ')`,
    ]);
  });

  it('inputs must be declared', () => {
    const error = failure([
      ...INPUTS,
      '  - id: a',
      '    type: agent',
      '    agent: x',
      '    prompt: Hi {{ inputs.nmae }}',
    ]);
    expect(error.message).toBe(
      'wf.yaml:8:19: steps[0] (a).prompt: inputs.nmae: no such input (declared: name)',
    );
  });

  it('item and index only inside a fan-out template, at any depth', () => {
    const error = failure([
      ...INPUTS,
      '  - id: a', // 5
      '    type: shell',
      '    run: echo {{ item }}',
      '  - id: each',
      '    type: fan-out',
      '    items: "{{ index }}"', // 10
      '    step:',
      '      id: deep',
      '      type: if',
      '      condition: "{{ index > 1 }}"',
      '      then: [{ id: leaf, type: gate, message: "{{ item.x }}" }]', // 15
    ]);
    expect(error.message.split('\n')).toEqual([
      'wf.yaml: 2 problems',
      "  wf.yaml:7:18: steps[0] (a).run: item: only defined inside a fan-out's step (its template)",
      "  wf.yaml:10:16: steps[1] (each).items: index: only defined inside a fan-out's step (its template)",
    ]);
  });

  it('steps.ID: an earlier step, not itself, not its container, not inside a fan-out it is not in', () => {
    const error = failure([
      ...INPUTS,
      '  - id: first', // 5
      '    type: shell',
      '    run: echo {{ steps.first.output }} {{ steps.later.output }} {{ steps.ghost.output }}',
      '  - id: each',
      '    type: fan-out',
      '    items: [1, 2]', // 10
      '    step:',
      '      id: check',
      '      type: if',
      '      condition: "{{ steps.first.status == \'succeeded\' }}"',
      '      then:', // 15
      '        - id: inner',
      '          type: shell',
      '          run: [echo, "{{ steps.check.output }}"]',
      '        - id: inner2',
      '          type: shell', // 20
      '          run: [echo, "{{ steps.inner.output.stdout }}"]',
      '  - id: after',
      '    type: shell',
      '    run: [echo, "{{ steps.inner.output }}", "{{ steps.each.output.results }}"]',
      '  - id: later', // 25
      '    type: fan-in',
      '    wait_for: [each, inner2, later]',
    ]);
    expect(error.message.split('\n')).toEqual([
      'wf.yaml: 7 problems',
      '  wf.yaml:7:18: steps[0] (first).run: steps.first: a step cannot use its own output',
      '  wf.yaml:7:43: steps[0] (first).run: steps.later: "later" comes after this step; a step can only use steps before it',
      '  wf.yaml:7:68: steps[0] (first).run: steps.ghost: no step "ghost" in this workflow',
      '  wf.yaml:18:27: steps[1].step.then[0] (inner).run[1]: steps.check: "check" holds this step, so it has no output before this step is done',
      '  wf.yaml:24:21: steps[2] (after).run[1]: steps.inner: "inner" runs once per item of "each"; outside that fan-out, use steps.each.output.results',
      '  wf.yaml:27:22: steps[3] (later).wait_for[1]: steps.inner2: "inner2" runs once per item of "each"; outside that fan-out, use steps.each.output.results',
      '  wf.yaml:27:30: steps[3] (later).wait_for[2]: steps.later: a step cannot use its own output',
    ]);
  });

  it('several problems of every kind are all reported, in file order', () => {
    const error = failure([
      'schema_version: 2', // 1
      'workflow: { id: wf }',
      'steps:',
      '  - id: a',
      '    type: shell', // 5
      '    run: echo {{ inputs.x }}',
      '    extra: 1',
      '  - id: b',
      '    type: fan-out',
      '    items: "{{ steps.a.output.lines }} "', // 10
      '    max_concurrency: "four"',
      '    step: { id: a, type: gate }',
    ]);
    expect(error.issues.map(({ line, path }) => `${line} ${path}`)).toEqual([
      '1 schema_version',
      '6 steps[0].run',
      '7 steps[0].extra',
      '10 steps[1].items',
      '11 steps[1].max_concurrency',
      '12 steps[1].step.id',
    ]);
    expect(error.message.split('\n')[0]).toBe('wf.yaml: 6 problems');
    expect(error).toMatchObject({ line: 1, column: 17, path: 'schema_version' });
  });
});
