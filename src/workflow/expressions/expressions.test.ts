import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compileTemplate,
  evaluateCondition,
  ExpressionError,
  isSingleExpression,
  renderString,
  renderValue,
  shellQuote,
  templateReferences,
  type ExpressionScope,
  type StepView,
} from './index.js';

const STEPS: Readonly<Record<string, StepView>> = {
  list: { output: { lines: ['a', 'b', 'c'], stdout: 'a\nb\nc\n' }, status: 'succeeded' },
  'build-all': { output: { count: 3, ok: true }, status: 'failed' },
};

const scope: ExpressionScope = {
  inputs: {
    name: 'World',
    count: 3,
    ratio: 0.5,
    flag: true,
    off: false,
    none: null,
    empty: '',
    list: [1, 2, 3],
    words: ['x', 'y'],
    map: { a: 1, b: 'two' },
    nested: { deep: { er: [10, { z: 'found' }] } },
    'odd key': 'odd',
    padded: '  Mixed Case  ',
  },
  steps: (id) => STEPS[id],
  item: { file: 'src/a.ts', size: 10 },
  index: 4,
};

/** The value of one expression. */
const value = (expression: string, at: ExpressionScope = scope) => renderValue(`{{ ${expression} }}`, at);

/** The ExpressionError a template throws when compiled or rendered. */
function failure(template: string): ExpressionError {
  try {
    renderValue(template, scope);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).code).toBe('E_EXPRESSION');
    return error as ExpressionError;
  }
  throw new Error(`expected ${template} to throw`);
}

describe('literals and paths', () => {
  it.each([
    ['42', 42],
    ['-7', -7],
    ['2.25', 2.25],
    ['-0.5', -0.5],
    ["'single'", 'single'],
    ['"double"', 'double'],
    [String.raw`'it\'s'`, "it's"],
    [String.raw`"a\"b\\c\nd"`, 'a"b\\c\nd'],
    ['true', true],
    ['false', false],
    ['null', null],
  ])('%s', (expression, expected) => {
    expect(value(expression)).toEqual(expected);
  });

  it.each([
    ['inputs.name', 'World'],
    ['inputs.list[1]', 2],
    ["inputs['odd key']", 'odd'],
    ['inputs["map"].b', 'two'],
    ['inputs.nested.deep.er[1].z', 'found'],
    ['steps.list.output.lines', ['a', 'b', 'c']],
    ['steps.list.output.lines[2]', 'c'],
    ['steps.build-all.output.count', 3],
    ['steps.build-all.status', 'failed'],
    ["steps['list'].status", 'succeeded'],
    ['item.file', 'src/a.ts'],
    ['item', { file: 'src/a.ts', size: 10 }],
    ['index', 4],
  ])('%s', (expression, expected) => {
    expect(value(expression)).toEqual(expected);
  });

  it.each([
    'inputs.missing',
    'inputs.missing.deeper[0]',
    'inputs.none.x',
    'inputs.list[10]',
    'inputs.list.x',
    'inputs.name.length',
    'inputs.map.constructor',
    'inputs.map.__proto__',
    'steps.nope.output',
    'steps.list.output.missing.more',
  ])('a missing path is undefined, never a throw: %s', (expression) => {
    expect(value(expression)).toBeUndefined();
  });

  it('item and index are undefined outside a fan-out', () => {
    const outside: ExpressionScope = { inputs: {}, steps: () => undefined };
    expect(value('item', outside)).toBeUndefined();
    expect(renderString('[{{ index }}]', outside)).toBe('[]');
  });
});

describe('operators', () => {
  it.each([
    ['1 == 1', true],
    ["1 == '1'", false],
    ['inputs.list == inputs.list', true],
    ['inputs.list == inputs.words', false],
    ['inputs.map == inputs.map', true],
    ['inputs.missing == null', true],
    ["inputs.name != 'World'", false],
    ['inputs.count < 4', true],
    ['inputs.count <= 3', true],
    ['inputs.count > 3', false],
    ['inputs.count >= 3', true],
    ["'abc' < 'abd'", true],
    ["'ell' in 'hello'", true],
    ['2 in inputs.list', true],
    ['5 in inputs.list', false],
    ["'a' in inputs.map", true],
    ["'x' not in inputs.words", false],
    ['1 in inputs.missing', false],
    ['inputs.flag and inputs.count', true],
    ['inputs.flag and inputs.empty', false],
    ['inputs.off or inputs.none', false],
    ['inputs.off or inputs.list', true],
    ['not inputs.off', true],
    ['!inputs.flag', false],
    ['inputs.flag && !inputs.off', true],
    ['inputs.off || inputs.count == 3', true],
    ['not 1 == 2', true],
    ['(inputs.off or inputs.flag) and inputs.count > 2', true],
    ['inputs.off or inputs.flag and inputs.off', false],
  ])('%s → %s', (expression, expected) => {
    expect(value(expression)).toBe(expected);
  });

  it('and/or return booleans, not operands', () => {
    expect(value("'a' or 'b'")).toBe(true);
    expect(value("'' and 'b'")).toBe(false);
  });

  it('ordering between different types is an error at its operator', () => {
    const error = failure("{{ inputs.count < 'a' }}");
    expect(error.message).toBe(
      `cannot compare the number 3 with the string "a" using '<' (both must be numbers or both strings)`,
    );
    expect(error.column).toBe(17);
    expect(failure('{{ inputs.none >= 1 }}').message).toContain('cannot compare null with the number 1');
  });
});

describe('filters', () => {
  it.each([
    ["inputs.missing | default('x')", 'x'],
    ["inputs.none | default('x')", 'x'],
    ['inputs.empty | default(inputs.count)', 3],
    ['inputs.off | default(1)', false],
    ['inputs.list | length', 3],
    ['inputs.name | length', 5],
    ['inputs.map | length', 2],
    ['inputs.missing | length', 0],
    ['inputs.words | join', 'x,y'],
    ["inputs.words | join(' + ')", 'x + y'],
    ['inputs.map | json', '{"a":1,"b":"two"}'],
    ['inputs.missing | json', 'null'],
    ['inputs.name | lower', 'world'],
    ['inputs.name | upper', 'WORLD'],
    ['inputs.padded | trim', 'Mixed Case'],
    ['inputs.padded | trim | lower', 'mixed case'],
    ['inputs.map | keys', ['a', 'b']],
    ['steps.list.output.lines | length > 2', true],
  ])('%s', (expression, expected) => {
    expect(value(expression)).toEqual(expected);
  });

  it('a filter given the wrong kind of value is an error at the filter', () => {
    const error = failure('{{ inputs.count | join }}');
    expect(error.message).toBe("filter 'join' expects a list, got the number 3");
    expect(error.column).toBe(19);
  });
});

describe('templates', () => {
  it('a single expression keeps its type', () => {
    expect(renderValue('{{ inputs.list }}', scope)).toEqual([1, 2, 3]);
    expect(renderValue('{{inputs.count}}', scope)).toBe(3);
    expect(renderValue('{{ inputs.map }}', scope)).toEqual({ a: 1, b: 'two' });
    expect(renderValue('{{ inputs.flag }}', scope)).toBe(true);
    expect(renderValue('{{ inputs.none }}', scope)).toBeNull();
  });

  it('anything around it makes text', () => {
    expect(renderValue(' {{ inputs.count }}', scope)).toBe(' 3');
    expect(renderValue('{{ inputs.count }}{{ inputs.count }}', scope)).toBe('33');
    expect(
      renderString(
        'n={{ inputs.count }} r={{ inputs.ratio }} f={{ inputs.flag }} z={{ inputs.none }} m={{ inputs.missing }}',
        scope,
      ),
    ).toBe('n=3 r=0.5 f=true z= m=');
    expect(renderString('{{ inputs.list }} {{ inputs.map }}', scope)).toBe('[1,2,3] {"a":1,"b":"two"}');
    expect(renderString('{{ inputs.list }}', scope)).toBe('[1,2,3]');
    expect(renderString('no expressions', scope)).toBe('no expressions');
  });

  it('a "}}" inside a quoted string does not end the expression', () => {
    expect(renderString("<{{ 'a}}b' }}>", scope)).toBe('<a}}b>');
  });

  it('renderValue goes deep; keys and other values stay as they are', () => {
    const rendered = renderValue(
      { argv: ['echo', '{{ inputs.name }}'], n: '{{ inputs.count }}', keep: 5, no: null, '{{ k }}': 'x' },
      scope,
    );
    expect(rendered).toEqual({ argv: ['echo', 'World'], n: 3, keep: 5, no: null, '{{ k }}': 'x' });
  });

  it('the same text compiles once: the same object comes back', () => {
    const text = 'cached {{ item.file }} {{ index }}';
    expect(compileTemplate(text)).toBe(compileTemplate(text));
    expect(compileTemplate(text).render({ ...scope, index: 1 })).toBe('cached src/a.ts 1');
  });

  it('isSingleExpression: exactly one expression, nothing outside the braces', () => {
    expect(isSingleExpression('{{ steps.list.output.lines }}')).toBe(true);
    expect(isSingleExpression('{{x}}')).toBe(false); // `x` is not a name expressions know
    expect(isSingleExpression('{{item}}')).toBe(true);
    expect(isSingleExpression(' {{ item }}')).toBe(false);
    expect(isSingleExpression('{{ item }}{{ index }}')).toBe(false);
    expect(isSingleExpression('item')).toBe(false);
  });

  it('templateReferences lists every path with its column', () => {
    const text = "x {{ inputs.a | default(steps.b-c.output) }} {{ item.f and index }} {{ inputs['q'] }}";
    const column = (part: string) => text.indexOf(part) + 1;
    expect(templateReferences(text)).toEqual([
      { root: 'inputs', name: 'a', column: 6 },
      { root: 'steps', name: 'b-c', column: column('steps.b-c') },
      { root: 'item', column: column('item.f') },
      { root: 'index', column: column('index') },
      { root: 'inputs', name: 'q', column: column("inputs['q']") },
    ]);
  });
});

describe('parse errors name the column in the template', () => {
  it.each([
    ['say {{ inputs. }}', 16, "expected a name after '.', found the end of the expression"],
    ['{{ 1 = 2 }}', 6, "unexpected character '=' (did you mean '=='?)"],
    ["ab {{ 'open }}", 7, "unterminated string (no closing ')"],
    ['x {{ inputs.a', 3, "'{{' is never closed with '}}'"],
    [
      '{{ foo.bar }}',
      4,
      "unknown name 'foo' (expected inputs, steps, item, index, context, fan_in or a literal)",
    ],
    [
      '{{ inputs.a | upcase }}',
      15,
      "unknown filter 'upcase' (known: contains, default, from_json, join, json, keys, length, lower, map, trim, upper)",
    ],
    ['{{ inputs.a | default }}', 15, "filter 'default' takes 1 argument, got 0"],
    ['{{   }}', 6, 'empty expression'],
    ['{{ inputs.a inputs.b }}', 13, "unexpected 'inputs'"],
    ['{{ (inputs.a }}', 14, "expected ')', found the end of the expression"],
    ['{{ steps }}', 4, "'steps' must be followed by a step id (steps.ID.output)"],
    ['{{ inputs.list[x] }}', 16, "expected a number or a quoted key after '[', found 'x'"],
    ['{{ 3abc }}', 5, "unexpected 'a' after a number"],
    ['{{ steps.a.output.lines.0 }}', 25, "expected a name after '.'; index a list with [0]"],
  ])('%s', (template, column, message) => {
    let caught: unknown;
    try {
      compileTemplate(template);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    expect((caught as ExpressionError).message).toContain(message);
    expect((caught as ExpressionError).column).toBe(column);
  });
});

describe('conditions and truthiness', () => {
  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['', false],
    [null, false],
    [[], false],
    [{}, false],
    [[0], true],
    ['{{ inputs.list }}', true],
    ['{{ inputs.empty }}', false],
    ['{{ inputs.missing }}', false],
    ['{{ inputs.count > 5 }}', false],
    ['{{ inputs.map.a }}', true],
    ['{{ [] }}'.replace('[]', 'inputs.none'), false],
    ['{{ inputs.name == "World" }}', true],
    ['x{{ inputs.empty }}', true],
    ['{{ inputs.off }}{{ inputs.empty }}', false],
  ])('%j → %s', (condition, expected) => {
    expect(evaluateCondition(condition, scope)).toBe(expected);
  });

  it('empty lists and mappings are false, non-empty ones true', () => {
    const empty: ExpressionScope = { inputs: { l: [], m: {}, n: [0], o: { a: 0 } }, steps: () => undefined };
    expect(evaluateCondition('{{ inputs.l }}', empty)).toBe(false);
    expect(evaluateCondition('{{ inputs.m }}', empty)).toBe(false);
    expect(evaluateCondition('{{ inputs.n }}', empty)).toBe(true);
    expect(evaluateCondition('{{ inputs.o }}', empty)).toBe(true);
  });
});

describe('shell quoting', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-quote-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('quotes single quotes POSIX-safely', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });

  it('a value cannot inject a command into sh -c', () => {
    const hostile = [
      '$(touch pwned-1)',
      '`touch pwned-2`',
      '; touch pwned-3',
      "'; touch pwned-4; echo '",
      '&& touch pwned-5 || rm -rf .',
      'a\nb; touch pwned-6',
      '"$HOME" ${PATH} \\',
    ];
    const at: ExpressionScope = { inputs: { hostile }, steps: () => undefined };
    hostile.forEach((text, index) => {
      const line = renderString(`printf '%s' {{ inputs.hostile[${index}] }}`, at, { quote: shellQuote });
      const output = execFileSync('/bin/sh', ['-c', line], { cwd: dir, encoding: 'utf8' });
      expect(output).toBe(text);
    });
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'pwned-1'))).toBe(false);
  });

  it('with quote, a single expression is quoted text too, never a raw value', () => {
    const at: ExpressionScope = { inputs: { x: '; touch pwned', n: 5 }, steps: () => undefined };
    expect(renderValue('{{ inputs.x }}', at, { quote: shellQuote })).toBe(`'; touch pwned'`);
    expect(renderValue('{{ inputs.n }}', at, { quote: shellQuote })).toBe(`'5'`);
    expect(renderString('ls {{ inputs.x }} literal;', at, { quote: shellQuote })).toBe(
      `ls '; touch pwned' literal;`,
    );
  });
});
