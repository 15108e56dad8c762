import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  conditionNeverEvaluated,
  evaluateCondition,
  ExpressionError,
  renderString,
  renderValue,
  templateReferences,
  type ExpressionScope,
} from './index.js';

/** spec-kit's behaviours of the expression language: its workflow files must run unchanged. */

const scope: ExpressionScope = {
  inputs: {
    x: 'ex',
    n: 3,
    list: [1, 2],
    name: 'World',
    tags: ['a', { k: 1 }, [2]],
    tasks: [{ id: 't1', meta: { owner: 'ann' } }, { id: 't2' }, 'loose', null],
    json: '{"a": [1, {"b": null}], "ok": true}',
    long: `{"key": "${'s'.repeat(100)}"`,
  },
  steps: () => undefined,
  context: { run_id: 'run-42', workflow_dir: '/flows/speckit' },
  fan_in: {
    results: [
      { id: 'a', ok: true },
      { id: 'b', ok: false },
    ],
  },
};
const bare: ExpressionScope = { inputs: {}, steps: () => undefined };

/** The value of one expression. */
const value = (expression: string, at: ExpressionScope = scope) => renderValue(`{{ ${expression} }}`, at);

/** The ExpressionError a template throws when compiled or rendered. */
function failure(template: string, at: ExpressionScope = scope): ExpressionError {
  try {
    renderValue(template, at);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error(`expected ${template} to throw`);
}

describe('the context and fan_in roots', () => {
  it('context reads the run facts', () => {
    expect(value('context.run_id')).toBe('run-42');
    expect(renderString('{{ context.workflow_dir }}/templates', scope)).toBe('/flows/speckit/templates');
    expect(value('context')).toEqual({ run_id: 'run-42', workflow_dir: '/flows/speckit' });
    expect(value('context.missing')).toBeUndefined();
  });

  it('without a context in the scope, context.x is undefined', () => {
    expect(value('context.run_id', bare)).toBeUndefined();
    expect(renderString('[{{ context.run_id }}]', bare)).toBe('[]');
  });

  it('fan_in reads like item', () => {
    expect(value('fan_in.results[1].id')).toBe('b');
    expect(value('fan_in.results | length')).toBe(2);
    expect(value('fan_in', bare)).toBeUndefined();
    expect(value('fan_in.results', bare)).toBeUndefined();
  });

  it('a context reference carries the field name, a fan_in reference none', () => {
    const text = '{{ context.run_id }} {{ context }} {{ fan_in.results }}';
    expect(templateReferences(text)).toEqual([
      { root: 'context', name: 'run_id', column: 4 },
      { root: 'context', column: text.indexOf('context }}') + 1 },
      { root: 'fan_in', column: text.indexOf('fan_in') + 1 },
    ]);
  });

  it('the unknown-name message lists every root', () => {
    expect(() => compileTemplate('{{ ctx.run_id }}')).toThrow(
      "unknown name 'ctx' (expected inputs, steps, item, index, context, fan_in or a literal)",
    );
  });
});

describe('list literals', () => {
  it.each([
    ["[1, 'a', inputs.x]", [1, 'a', 'ex']],
    ['[]', []],
    ['[ ]', []],
    ['[[1, 2], [], [[3]]]', [[1, 2], [], [[3]]]],
    ['[inputs.n > 2, not true, inputs.missing, null]', [true, false, undefined, null]],
    ['[inputs.name | lower, context.run_id]', ['world', 'run-42']],
    ['[1, 2] | length', 2],
    ["['a', 'b'] | join('-')", 'a-b'],
    ['2 in [1, 2, 3]', true],
    ['[1, 2] == inputs.list', true],
  ])('%s', (expression, expected) => {
    expect(value(expression)).toEqual(expected);
  });

  it('a list renders into text as JSON', () => {
    expect(renderString("x={{ [1, 'a'] }}", scope)).toBe('x=[1,"a"]');
  });

  it('paths inside a list are references', () => {
    expect(templateReferences('{{ [inputs.x, [steps.s.output]] }}')).toEqual([
      { root: 'inputs', name: 'x', column: 5 },
      { root: 'steps', name: 's', column: 16 },
    ]);
  });

  it.each([
    ['{{ [1, 2, ] }}', 9, "a trailing ',' in a list: remove it or add the missing item"],
    ['{{ [,] }}', 5, "expected a value, found ','"],
    ['{{ [1 2] }}', 7, "expected ',' or ']' to end the list, found '2'"],
    ['{{ [1, 2 }}', 10, "expected ',' or ']' to end the list, found the end of the expression"],
    ['{{ [steps] }}', 5, "'steps' must be followed by a step id"],
  ])('%s is refused at its column', (template, column, message) => {
    const error = failure(template);
    expect(error.message).toContain(message);
    expect(error.column).toBe(column);
  });
});

describe('filters contains, map and from_json', () => {
  it.each([
    ["inputs.name | contains('orl')", true],
    ["inputs.name | contains('xyz')", false],
    ["inputs.name | contains('')", true],
    ["inputs.tags | contains('a')", true],
    ['inputs.tags | contains(inputs.tasks[1])', false],
    ['inputs.tags | contains(inputs.tags[1])', true],
    ['inputs.tags | contains([2])', true],
    ['inputs.list | contains(2)', true],
    ["inputs.list | contains('2')", false],
    ["inputs.missing | contains('a')", false],
    ["inputs.n | contains('3')", false],
    ["fan_in | contains('results')", false],
    ["inputs.tasks | map('id')", ['t1', 't2', 'loose', null]],
    ["inputs.tasks | map('meta.owner')", ['ann', null, 'loose', null]],
    ["fan_in.results | map('ok')", [true, false]],
    ["inputs.name | map('id')", []],
    ["inputs.missing | map('id')", []],
    ["fan_in.results | map('id') | join(' ')", 'a b'],
    ['inputs.json | from_json', { a: [1, { b: null }], ok: true }],
    ["'[1, 2]' | from_json", [1, 2]],
    ['\'"text"\' | from_json', 'text'],
    ["'null' | from_json", null],
    [`'{"x": 1}' | from_json | keys`, ['x']],
  ])('%s', (expression, expected) => {
    expect(value(expression)).toEqual(expected);
  });

  it.each([
    [
      '{{ inputs.name | contains(1) }}',
      18,
      "filter 'contains' on a string needs a string argument, got the number 1",
    ],
    [
      '{{ inputs.tasks | map(1) }}',
      19,
      "filter 'map' needs an attribute name such as 'id' or 'a.b', got the number 1",
    ],
    ["{{ inputs.tasks | map('') }}", 19, "filter 'map' needs an attribute name"],
    ['{{ inputs.list | from_json }}', 18, "filter 'from_json' expects a string, got a list"],
    ["{{ 'nope' | from_json }}", 13, 'filter \'from_json\' got the string "nope", which is not valid JSON'],
    ['{{ inputs.contains | contains }}', 22, "filter 'contains' takes 1 argument, got 0"],
    ["{{ inputs.x | from_json('a') }}", 15, "filter 'from_json' takes 0 arguments, got 1"],
  ])('%s is an error at the filter', (template, column, message) => {
    const error = failure(template);
    expect(error.message).toContain(message);
    expect(error.column).toBe(column);
  });

  it('from_json never shows more than 40 characters of the text', () => {
    const error = failure('{{ inputs.long | from_json }}');
    expect(error.message).toContain("filter 'from_json'");
    expect(error.message).not.toContain('s'.repeat(41));
    expect(error.message).toMatch(/s{20,}\.\.\./);
    expect(error.message).toContain('(at character 111)');
  });
});

describe('ordering compares numeric strings as numbers', () => {
  const text: ExpressionScope = {
    inputs: { ten: '10', nine: '9', padded: ' 3.5 ', minus: '-2', hex: '0x10', blank: '', word: 'abc' },
    steps: () => undefined,
  };
  it.each([
    [`"10" > '9'`, true],
    [`"10" > 9`, true],
    [`10 > "9"`, true],
    ['inputs.ten > inputs.nine', true],
    ['inputs.ten <= 10', true],
    ['inputs.padded < 4', true],
    ['inputs.padded >= 3.5', true],
    ['inputs.minus < 0', true],
    ["inputs.minus > '-3'", true],
    ["'1e3' > 999", true],
    ["'.5' < 1", true],
    // Two strings that are not both numbers compare as strings.
    ["inputs.hex < '0y'", true],
    ["inputs.blank < '1'", true],
    ["inputs.word > '10'", true],
    ["'10' < 'abc'", true],
  ])('%s → %s', (expression, expected) => {
    expect(value(expression, text)).toBe(expected);
  });

  it.each([
    ['{{ inputs.hex > 1 }}', 'cannot compare the string "0x10" with the number 1'],
    ['{{ inputs.blank < 1 }}', 'cannot compare the string "" with the number 1'],
    ["{{ 'Infinity' > 1 }}", 'cannot compare the string "Infinity" with the number 1'],
    ['{{ inputs.word >= 1 }}', 'cannot compare the string "abc" with the number 1'],
    ['{{ true < 1 }}', 'cannot compare the boolean true with the number 1'],
    ["{{ inputs.missing > '1' }}", 'cannot compare null with the string "1"'],
  ])('%s stays an error', (template, message) => {
    expect(failure(template, text).message).toContain(message);
  });

  it('== and != stay strict', () => {
    expect(value(`"10" == 10`, text)).toBe(false);
    expect(value(`"10" != 10`, text)).toBe(true);
    expect(value(`inputs.padded == 3.5`, text)).toBe(false);
  });
});

describe('in and not in never throw', () => {
  it.each([
    ['1 in 5', false],
    ['1 not in 5', true],
    ["'a' in true", false],
    ["'a' not in false", true],
    ["'a' in null", false],
    ["'a' not in inputs.missing", true],
    ["1 in 'a1'", false],
    ["1 not in 'a1'", true],
    ["null in 'abc'", false],
    ["inputs.list in 'abc'", false],
    ['1 in fan_in', false],
    ["'results' in fan_in", true],
    ["'ell' in inputs.name | lower", false],
    ["'orl' in inputs.name", true],
  ])('%s → %s', (expression, expected) => {
    expect(value(expression)).toBe(expected);
  });
});

describe('conditions read captured "true" and "false"', () => {
  const at: ExpressionScope = {
    inputs: { f: 'false', t: 'TRUE', padded: ' False ', zero: '0', blank: '  ', yes: 'yes', n: 0 },
    steps: (id) => (id === 'check' ? { output: { stdout: 'false\n' } } : { output: { stdout: 'true\n' } }),
  };
  it.each([
    ['{{ steps.check.output.stdout }}', false],
    ['{{ steps.other.output.stdout }}', true],
    ['{{ inputs.f }}', false],
    ['{{ inputs.t }}', true],
    ['{{ inputs.padded }}', false],
    ["{{ 'FALSE' }}", false],
    // A single expression's other strings keep their truthiness.
    ['{{ inputs.zero }}', true],
    ['{{ inputs.blank }}', true],
    ['{{ inputs.yes }}', true],
    ['{{ inputs.n }}', false],
    // Rendered text is trimmed and lower-cased before it is read.
    ['{{ steps.check.output.stdout }} ', false],
    [' {{ inputs.f }}', false],
    ['{{ inputs.f }}\n', false],
    ['{{ inputs.zero }}{{ inputs.blank }}', false],
    ['{{ inputs.t }}{{ inputs.blank }}', true],
    ['x{{ inputs.f }}', true],
    ['FALSE', false],
    ['  0  ', false],
    ['   ', false],
    ['True', true],
  ])('%j → %s', (condition, expected) => {
    expect(evaluateCondition(condition, at)).toBe(expected);
  });
});

describe('conditionNeverEvaluated', () => {
  it.each([
    ['inputs.count > 100', true],
    ['steps.check.output.ok', true],
    ['yes', true],
    ['0', true],
    ['true', false],
    [' FALSE ', false],
    ['', false],
    ['  \n', false],
    ['{{ inputs.count > 100 }}', false],
    ['x {{ inputs.a }}', false],
    ['{{ unclosed', false],
    [true, false],
    [0, false],
    [null, false],
  ])('%j → %s', (condition, expected) => {
    expect(conditionNeverEvaluated(condition)).toBe(expected);
  });
});
