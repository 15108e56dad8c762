import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BUILTIN_STEP_SCHEMAS,
  loadWorkflowFile,
  parseWorkflow,
  WorkflowError,
  type StepSchema,
  type WorkflowDefinition,
} from '../index.js';

const yaml = (lines: readonly string[]) => lines.join('\n') + '\n';
const at = (line: number, column: number) => ({ file: 'wf.yaml', line, column });

/** A file's head, then `steps:` and the given lines (so the first step's `- id:` is on line 4). */
const HEAD = ['schema_version: 1', 'workflow: { id: wf }', 'steps:'];
const withSteps = (...lines: string[]) => [...HEAD, ...lines];

describe('parseWorkflow: a valid file', () => {
  it('parses every built-in step type, nested, with defaults and locations', () => {
    const text = yaml([
      'schema_version: 1', // 1
      'workflow:',
      '  id: review.all',
      '  name: Review everything',
      'inputs:', // 5
      '  target: { type: string, required: true, description: What to review }',
      '  level: { type: string, enum: [low, high], default: low }',
      '  n: { type: integer, default: 2 }',
      'steps:',
      '  - id: list', // 10
      '    type: shell',
      '    run: [git, ls-files, "{{ inputs.target }}"]',
      '    output_format: lines',
      '    env: { LEVEL: "{{ inputs.level }}" }',
      '    timeout_s: 30', // 15
      '  - id: build-all',
      '    type: fan-out',
      "    items: '{{ steps.list.output.lines }}'",
      '    max_concurrency: 4',
      '    continue_on_error: true', // 20
      '    retries: 2',
      '    step:',
      '      id: per-dir',
      '      type: fan-out',
      '      items: "{{ item | keys }}"', // 25
      '      step:',
      '        id: check',
      '        type: if',
      '        condition: "{{ index > 0 and item }}"',
      '        then:', // 30
      '          - id: say',
      '            type: shell',
      '            run: echo {{ item }} {{ steps.list.status }}',
      '          - id: again',
      '            type: shell', // 35
      '            run: echo {{ steps.say.output.stdout }}',
      '  - id: gather',
      '    type: fan-in',
      '    wait_for: build-all',
      '  - id: approve', // 40
      '    type: gate',
      '  - id: ask',
      '    type: agent',
      '    agent: claude',
      '    prompt: "Summarize {{ steps.gather.output.items | json }}"', // 45
      '    repo: app',
      '    paths: [src, docs]',
      '  - id: maybe',
      '    type: if',
      '    condition: false', // 50
      '    then: [{ id: never, type: gate, message: "Sure {{ inputs.n }}?" }]',
      '    else: [{ id: instead, type: shell, run: [echo, "{{ steps.never.status }}"] }]',
    ]);
    const expected: WorkflowDefinition = {
      schema_version: 1,
      workflow: { id: 'review.all', name: 'Review everything' },
      inputs: {
        target: { type: 'string', required: true, description: 'What to review' },
        level: { type: 'string', enum: ['low', 'high'], default: 'low', required: false },
        n: { type: 'integer', default: 2, required: false },
      },
      steps: [
        {
          id: 'list',
          type: 'shell',
          run: ['git', 'ls-files', '{{ inputs.target }}'],
          output_format: 'lines',
          env: { LEVEL: '{{ inputs.level }}' },
          timeout_s: 30,
          location: at(10, 5),
        },
        {
          id: 'build-all',
          type: 'fan-out',
          items: '{{ steps.list.output.lines }}',
          max_concurrency: 4,
          continue_on_error: true,
          retries: 2,
          location: at(16, 5),
          step: {
            id: 'per-dir',
            type: 'fan-out',
            items: '{{ item | keys }}',
            max_concurrency: 1,
            retries: 0,
            location: at(23, 7),
            step: {
              id: 'check',
              type: 'if',
              condition: '{{ index > 0 and item }}',
              location: at(27, 9),
              then: [
                {
                  id: 'say',
                  type: 'shell',
                  run: 'echo {{ item }} {{ steps.list.status }}',
                  output_format: 'text',
                  location: at(31, 13),
                },
                {
                  id: 'again',
                  type: 'shell',
                  run: 'echo {{ steps.say.output.stdout }}',
                  output_format: 'text',
                  location: at(34, 13),
                },
              ],
              else: [],
            },
          },
        },
        { id: 'gather', type: 'fan-in', wait_for: ['build-all'], location: at(37, 5) },
        {
          id: 'approve',
          type: 'gate',
          message: 'Approve to continue?',
          options: ['approve', 'reject'],
          on_reject: 'abort',
          location: at(40, 5),
        },
        {
          id: 'ask',
          type: 'agent',
          agent: 'claude',
          prompt: 'Summarize {{ steps.gather.output.items | json }}',
          repo: 'app',
          paths: ['src', 'docs'],
          location: at(42, 5),
        },
        {
          id: 'maybe',
          type: 'if',
          condition: false,
          location: at(48, 5),
          then: [
            {
              id: 'never',
              type: 'gate',
              message: 'Sure {{ inputs.n }}?',
              options: ['approve', 'reject'],
              on_reject: 'abort',
              location: at(51, 12),
            },
          ],
          else: [
            {
              id: 'instead',
              type: 'shell',
              run: ['echo', '{{ steps.never.status }}'],
              output_format: 'text',
              location: at(52, 12),
            },
          ],
        },
      ],
      file: resolve('wf.yaml'),
    };
    expect(parseWorkflow(text, { file: 'wf.yaml' })).toEqual(expected);
  });

  it('inline text has no file; locations say <inline>; inputs default to none', () => {
    const definition = parseWorkflow(yaml([...HEAD, '  - { id: a, type: gate }']));
    expect(definition.file).toBeUndefined();
    expect(definition.inputs).toEqual({});
    expect(definition.steps[0]?.location).toEqual({ file: '<inline>', line: 4, column: 5 });
  });

  it('a caller can add step types; their steps keep the fields their schema parsed', () => {
    const notify: StepSchema = {
      type: 'notify',
      fields: z.strictObject({ channel: z.string(), loud: z.boolean().default(false) }),
    };
    const text = yaml(withSteps('  - { id: n, type: notify, channel: "#ops {{ inputs.x }}" }')).replace(
      'steps:',
      'inputs: { x: { type: string } }\nsteps:',
    );
    const definition = parseWorkflow(text, { stepSchemas: [...BUILTIN_STEP_SCHEMAS, notify] });
    expect(definition.steps[0]).toMatchObject({
      id: 'n',
      type: 'notify',
      channel: '#ops {{ inputs.x }}',
      loud: false,
    });
    expect(() => parseWorkflow(text)).toThrow(/unknown step type "notify" \(expected one of: shell, agent/);
  });
});

describe('loadWorkflowFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-workflow-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file: the definition has its absolute path, messages name it as given', async () => {
    const file = join(dir, 'flow.yaml');
    writeFileSync(file, yaml(withSteps('  - id: a', '    type: gate')));
    const definition = await loadWorkflowFile(file);
    expect(definition.file).toBe(file);
    expect(definition.steps[0]?.location).toEqual({ file, line: 4, column: 5 });

    writeFileSync(file, yaml(withSteps('  - id: a', '    type: gate', '    mesage: hi')));
    const error = await loadWorkflowFile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowError);
    expect((error as WorkflowError).message).toBe(
      `${file}:6:5: steps[0] (a).mesage: unknown key (expected one of: id, type, name, continue_on_error, message, options, on_reject, verdict_input)`,
    );
    expect(error).toMatchObject({ file, line: 6, column: 5, path: 'steps[0].mesage', step: 'a' });
  });

  it('a missing file is a WorkflowError naming it', async () => {
    const file = join(dir, 'nope.yaml');
    const error = await loadWorkflowFile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowError);
    expect(error).toMatchObject({ message: `${file}: workflow file not found`, file });
  });
});
