import { describe, expect, it } from 'vitest';
import type { InputDefinition } from './definition.js';
import { parseInputAssignments, resolveInputs, WorkflowInputError } from '../index.js';

const INPUTS: Readonly<Record<string, InputDefinition>> = {
  target: { type: 'string', required: true, description: 'What to review' },
  count: { type: 'integer', required: false, default: 2 },
  ratio: { type: 'number', required: false },
  dry_run: { type: 'boolean', required: false, default: false },
  level: { type: 'string', required: false, enum: ['low', 'high'], default: 'low' },
  files: { type: 'array', required: false, default: ['a'] },
  options: { type: 'object', required: false },
};
const definition = { inputs: INPUTS };

/** The WorkflowInputError that resolving `given` must throw. */
function failure(given: Record<string, unknown>, fromStrings = false): WorkflowInputError {
  try {
    resolveInputs(definition, given, { fromStrings });
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowInputError);
    expect((error as WorkflowInputError).code).toBe('E_WORKFLOW_INPUT');
    return error as WorkflowInputError;
  }
  throw new Error('expected resolveInputs to throw');
}

describe('resolveInputs', () => {
  it('fills in defaults and leaves out optional inputs nobody gave', () => {
    expect(resolveInputs(definition, { target: 'src' })).toEqual({
      target: 'src',
      count: 2,
      dry_run: false,
      level: 'low',
      files: ['a'],
    });
  });

  it('a default is a copy: a run cannot change the definition', () => {
    const resolved = resolveInputs(definition, { target: 'x' });
    (resolved['files'] as string[]).push('b');
    expect(INPUTS['files']?.default).toEqual(['a']);
  });

  it('typed values are checked, never coerced', () => {
    expect(resolveInputs(definition, { target: 'x', count: 5, ratio: 0.5, options: { a: 1 } })).toMatchObject(
      {
        count: 5,
        ratio: 0.5,
        options: { a: 1 },
      },
    );
    expect(failure({ target: 'x', count: '5' }).message).toBe('input "count": expected an integer, got "5"');
    expect(failure({ target: 'x', count: 2.5 }).message).toBe('input "count": expected an integer, got 2.5');
    expect(failure({ target: 'x', options: [1] }).message).toBe(
      'input "options": expected a mapping, got a list',
    );
    expect(failure({ target: 1 })).toMatchObject({
      input: 'target',
      message: 'input "target": expected a string, got 1',
    });
  });

  it('enum: the value must be one of them', () => {
    expect(resolveInputs(definition, { target: 'x', level: 'high' })['level']).toBe('high');
    expect(failure({ target: 'x', level: 'max' }).message).toBe(
      'input "level": expected one of: "low", "high", got "max"',
    );
  });

  it('a required input without a value or default is missing', () => {
    const error = failure({});
    expect(error.message).toBe('missing required input "target" (string): What to review');
    expect(error.input).toBe('target');
  });

  it('an unknown input lists the declared ones', () => {
    const error = failure({ target: 'x', trget: 'y' });
    expect(error.message).toBe(
      'unknown input "trget" (declared: target, count, ratio, dry_run, level, files, options)',
    );
    expect(error.input).toBe('trget');
    expect(() => resolveInputs({ inputs: {} }, { a: 1 })).toThrow(
      'unknown input "a" (this workflow declares no inputs)',
    );
  });

  it('every problem is reported at once', () => {
    const error = failure({ nope: 1, count: 'x' });
    expect(error.message.split('\n')).toEqual([
      '3 problems with the inputs:',
      '  unknown input "nope" (declared: target, count, ratio, dry_run, level, files, options)',
      '  missing required input "target" (string): What to review',
      '  input "count": expected an integer, got "x"',
    ]);
    expect(error.input).toBe('nope');
  });

  describe('fromStrings: command-line values read as their type', () => {
    it.each([
      ['count', '7', 7],
      ['count', ' 12 ', 12],
      ['ratio', '0.25', 0.25],
      ['ratio', '-3', -3],
      ['dry_run', 'true', true],
      ['dry_run', 'YES', true],
      ['dry_run', '1', true],
      ['dry_run', 'no', false],
      ['dry_run', '0', false],
      ['dry_run', 'False', false],
      ['files', '["x", "y"]', ['x', 'y']],
      ['options', '{"a": [1]}', { a: [1] }],
      ['target', '42', '42'],
    ])('%s=%s', (name, text, expected) => {
      expect(resolveInputs(definition, { target: 't', [name]: text }, { fromStrings: true })[name]).toEqual(
        expected,
      );
    });

    it.each([
      ['count', '2.5', 'expected an integer, got "2.5"'],
      ['count', '', 'expected an integer, got ""'],
      ['ratio', 'abc', 'expected a number, got "abc"'],
      ['ratio', 'Infinity', 'expected a number, got "Infinity"'],
      ['dry_run', 'maybe', 'expected true or false, got "maybe"'],
      ['files', '{"a": 1}', 'expected a list, got "{\\"a\\": 1}"'],
      ['files', '[1,', 'expected a list, got "[1,"'],
      ['level', 'max', 'expected one of: "low", "high", got "max"'],
    ])('%s=%s is an error', (name, text, message) => {
      expect(failure({ target: 't', [name]: text }, true).message).toBe(`input "${name}": ${message}`);
    });
  });
});

describe('parseInputAssignments', () => {
  it('splits at the first "="', () => {
    expect(parseInputAssignments(['a=1', 'b=x=y', 'c='])).toEqual({ a: '1', b: 'x=y', c: '' });
    expect(parseInputAssignments([])).toEqual({});
  });

  it('an item without a name or "=" is an error', () => {
    expect(() => parseInputAssignments(['a'])).toThrow('--input "a": expected NAME=VALUE');
    expect(() => parseInputAssignments(['=1'])).toThrow(WorkflowInputError);
    expect(() => parseInputAssignments(['a=1', 'a=2'])).toThrow('input "a" is given twice');
  });
});
