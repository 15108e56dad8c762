import { describeValue } from '../../config/index.js';
import {
  compileTemplate,
  ExpressionError,
  type CompiledTemplate,
  type Reference,
} from '../expressions/index.js';
import type { StepRecord } from './parse-steps.js';
import type { DataPath, WorkflowSource } from './workflow-source.js';

/**
 * The checks that need the whole file: unique step ids, expressions that parse, references to inputs
 * that are declared and to steps that ran before, `item`/`index` only inside a fan-out's template, and
 * single-expression fields. Every problem goes to `source`.
 */
export function checkSteps(
  records: readonly StepRecord[],
  inputNames: readonly string[],
  source: WorkflowSource,
): void {
  // 1. Unique ids: the first holder of an id keeps it; every later one is an error.
  const byId = new Map<string, StepRecord>();
  for (const record of records) {
    const first = byId.get(record.label.id);
    if (first === undefined) {
      byId.set(record.label.id, record);
      continue;
    }
    const { line } = source.position([...first.label.path, 'id']);
    const text = `duplicate step id "${record.label.id}" (first used at line ${line})`;
    source.report([...record.label.path, 'id'], text, { step: record.label });
  }

  const stepProblem = (record: StepRecord, id: string): string | undefined =>
    referenceProblem(record, id, byId, records);

  for (const record of records) {
    const { label, fields, schema } = record;

    // 2. Every string in the step's own fields: its expressions parse and read what exists here.
    forEachString(fields, [], (text, fieldPath) => {
      const path = [...label.path, ...fieldPath];
      const template = compile(text, path, source, label);
      for (const reference of template?.references ?? []) {
        const problem = describeReference(reference, record, inputNames, stepProblem);
        if (problem === undefined) continue;
        source.report(path, problem, { step: label, at: source.positionInString(path, reference.column) });
      }
    });

    // 3. Fields that must be one expression (a fan-out's `items`), when given as a string.
    for (const field of schema?.singleExpressionFields ?? []) {
      const value = fields[field];
      if (typeof value !== 'string' || !isCompilable(value) || compileTemplate(value).single) continue;
      const text = `expected a list or exactly one "{{ expression }}" (nothing around it), got ${describeValue(value)}`;
      source.report([...label.path, field], text, { step: label });
    }

    // 4. Fields of step ids (a fan-in's `wait_for`): earlier steps, like `steps.ID` in an expression.
    for (const field of schema?.stepReferenceFields ?? []) {
      const value = fields[field];
      const ids = Array.isArray(value) ? value : [value];
      ids.forEach((id, index) => {
        const problem = typeof id === 'string' ? stepProblem(record, id) : undefined;
        if (problem === undefined) return;
        const path = Array.isArray(value) ? [...label.path, field, index] : [...label.path, field];
        source.report(path, problem, { step: label });
      });
    }
  }
}

/** The template, or `undefined` after reporting why it does not parse. */
function compile(
  text: string,
  path: DataPath,
  source: WorkflowSource,
  step: StepRecord['label'],
): CompiledTemplate | undefined {
  try {
    return compileTemplate(text);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    source.report(path, `invalid expression: ${error.message}`, {
      step,
      at: source.positionInString(path, error.column),
    });
    return undefined;
  }
}

function isCompilable(text: string): boolean {
  try {
    compileTemplate(text);
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with a reference made by `record`'s fields, or `undefined`. */
function describeReference(
  reference: Reference,
  record: StepRecord,
  inputNames: readonly string[],
  stepProblem: (record: StepRecord, id: string) => string | undefined,
): string | undefined {
  switch (reference.root) {
    case 'inputs': {
      if (reference.name === undefined || inputNames.includes(reference.name)) return undefined;
      const declared = inputNames.length > 0 ? `declared: ${inputNames.join(', ')}` : 'none are declared';
      return `inputs.${reference.name}: no such input (${declared})`;
    }
    case 'item':
    case 'index':
      return record.perItem.length > 0
        ? undefined
        : `${reference.root}: only defined inside a fan-out's step (its template)`;
    case 'steps':
      return reference.name === undefined ? undefined : stepProblem(record, reference.name);
  }
}

/** What is wrong with `record` reading step `id` (`steps.ID`, `wait_for`), or `undefined`. */
function referenceProblem(
  record: StepRecord,
  id: string,
  byId: ReadonlyMap<string, StepRecord>,
  records: readonly StepRecord[],
): string | undefined {
  const target = byId.get(id);
  const prefix = `steps.${id}`;
  if (target === undefined) return `${prefix}: no step "${id}" in this workflow`;
  if (target === record) return `${prefix}: a step cannot use its own output`;
  if (record.ancestors.includes(target.order)) {
    return `${prefix}: "${id}" holds this step, so it has no output before this step is done`;
  }
  if (target.order > record.order) {
    return `${prefix}: "${id}" comes after this step; a step can only use steps before it`;
  }
  const outside = target.perItem.find((order) => !record.perItem.includes(order));
  if (outside !== undefined) {
    const fanOut = records.find((candidate) => candidate.order === outside)?.label.id ?? '?';
    return (
      `${prefix}: "${id}" runs once per item of "${fanOut}"; outside that fan-out, ` +
      `use steps.${fanOut}.output.results`
    );
  }
  return undefined;
}

/** Calls `visit` with every string in `value` (deeply) and its path. */
function forEachString(
  value: unknown,
  path: readonly PropertyKey[],
  visit: (text: string, path: readonly PropertyKey[]) => void,
): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => forEachString(item, [...path, index], visit));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) forEachString(item, [...path, key], visit);
  }
}
