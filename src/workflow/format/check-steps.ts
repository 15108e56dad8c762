import { describeValue } from '../../config/index.js';
import { writtenProfileProblem } from './agent-profiles.js';
import {
  compileTemplate,
  conditionNeverEvaluated,
  ExpressionError,
  shellTemplateProblem,
  type CompiledTemplate,
  type Reference,
} from '../expressions/index.js';
import type { StepRecord } from './parse-steps.js';
import type { DataPath, WorkflowSource } from './workflow-source.js';

/** What `checkSteps` knows of the file and the configuration beyond the steps. */
export interface CheckContext {
  readonly inputNames: readonly string[];
  /** The configuration's agent profiles; absent: names of profiles are not checked. */
  readonly agents?: readonly string[];
  /** The workflow's `integration`, as written. */
  readonly defaultIntegration?: unknown;
}

/** The fields of `context.…` an expression may read. */
export const CONTEXT_FIELDS: readonly string[] = ['run_id', 'workflow_dir'];

/** Step types that send work to an agent profile named by `integration` (or the workflow's). */
const INTEGRATION_TYPES: ReadonlySet<string> = new Set(['command', 'prompt']);

/** Fields read as conditions. */
const CONDITION_TYPES: ReadonlySet<string> = new Set(['if', 'while', 'do-while']);

/**
 * The checks that need the whole file: unique step ids, expressions that parse, references to inputs
 * that are declared and to steps that ran before, `item`/`index` only inside a fan-out's template,
 * single-expression fields, conditions that are expressions, agent profiles that exist and gate
 * verdict inputs that are declared. Every problem goes to `source`.
 */
export function checkSteps(
  records: readonly StepRecord[],
  check: CheckContext,
  source: WorkflowSource,
): void {
  const { inputNames } = check;
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

  const stepProblem = (record: StepRecord, id: string, inner = false): string | undefined =>
    referenceProblem(record, id, byId, records, inner);

  for (const record of records) {
    const { label, fields, schema } = record;

    // 2. Every string in the step's own fields: its expressions parse and read what exists here.
    forEachString(fields, [], (text, fieldPath) => {
      const path = [...label.path, ...fieldPath];
      const template = compile(text, path, source, label);
      const field = String(fieldPath[0]);
      const inner = schema?.innerReferenceFields?.includes(field) === true;
      for (const reference of template?.references ?? []) {
        const problem = describeReference(reference, record, field, inputNames, (id) =>
          stepProblem(record, id, inner),
        );
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

    // 5. What this step's type asks of its fields beyond their schema.
    checkConditions(record, source);
    checkShellLine(record, source);
    checkIntegration(record, check, source);
    checkVerdictInput(record, inputNames, source);
  }
}

/** A condition written without `{{ }}` would always be true: refused. */
function checkConditions(record: StepRecord, source: WorkflowSource): void {
  const { label, fields, schema } = record;
  if (schema === undefined || !CONDITION_TYPES.has(schema.type)) return;
  const value = fields['condition'];
  if (!conditionNeverEvaluated(value)) return;
  const text = String(value).trim();
  const message = `${describeValue(value)} has no "{{ }}", so it is never evaluated and always true: write "{{ ${text} }}"`;
  source.report([...label.path, 'condition'], message, { step: label });
}

/**
 * A shell step's `sh -c` line substitutes values only where their quoting is known (bare, '…', "…"):
 * one inside `$(…)`, backticks or `${…}` is refused here rather than when the step runs.
 */
function checkShellLine(record: StepRecord, source: WorkflowSource): void {
  const { label, fields, schema } = record;
  const run = fields['run'];
  if (schema?.type !== 'shell' || typeof run !== 'string' || !isCompilable(run)) return;
  const problem = shellTemplateProblem(run);
  if (problem === undefined) return;
  const path = [...label.path, 'run'];
  source.report(path, problem.message, { step: label, at: source.positionInString(path, problem.column) });
}

/** A `command` or `prompt` step names an agent profile that exists, itself or through the workflow. */
function checkIntegration(record: StepRecord, check: CheckContext, source: WorkflowSource): void {
  const { label, fields, schema } = record;
  if (schema === undefined || !INTEGRATION_TYPES.has(schema.type)) return;
  const own = fields['integration'];
  if (own === undefined && check.defaultIntegration === undefined) {
    const message = 'missing: name an agent profile here, or the default in workflow.integration';
    source.report([...label.path, 'integration'], message, { step: label });
    return;
  }
  if (typeof own !== 'string') return;
  const problem = writtenProfileProblem(own, check.agents);
  if (problem !== undefined) source.report([...label.path, 'integration'], problem, { step: label });
}

/** A gate's `verdict_input` is a declared input, and not one that every item of a fan-out would share. */
function checkVerdictInput(record: StepRecord, inputNames: readonly string[], source: WorkflowSource): void {
  const { label, fields } = record;
  const name = fields['verdict_input'];
  if (record.schema?.type !== 'gate' || typeof name !== 'string') return;
  const path = [...label.path, 'verdict_input'];
  if (!inputNames.includes(name)) {
    const declared = inputNames.length > 0 ? `declared: ${inputNames.join(', ')}` : 'none are declared';
    source.report(path, `no input "${name}" (${declared})`, { step: label });
  } else if (record.perItem.length > 0) {
    const message =
      "not inside a fan-out's template: its items share the inputs (put the gate before or after it)";
    source.report(path, message, { step: label });
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

/** What is wrong with a reference made by `record`'s `field`, or `undefined`. */
function describeReference(
  reference: Reference,
  record: StepRecord,
  field: string,
  inputNames: readonly string[],
  stepProblem: (id: string) => string | undefined,
): string | undefined {
  switch (reference.root) {
    case 'context':
      if (reference.name === undefined || CONTEXT_FIELDS.includes(reference.name)) return undefined;
      return `context.${reference.name}: no such field (known: ${CONTEXT_FIELDS.join(', ')})`;
    case 'fan_in':
      return record.schema?.type === 'fan-in' && field === 'output'
        ? undefined
        : "fan_in: only defined in a fan-in step's output";
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
      return reference.name === undefined ? undefined : stepProblem(reference.name);
  }
}

/**
 * What is wrong with `record` reading step `id` (`steps.ID`, `wait_for`), or `undefined`. `inner`: the
 * field may read the steps `record` holds (a loop's condition reads its body).
 */
function referenceProblem(
  record: StepRecord,
  id: string,
  byId: ReadonlyMap<string, StepRecord>,
  records: readonly StepRecord[],
  inner: boolean,
): string | undefined {
  const target = byId.get(id);
  const prefix = `steps.${id}`;
  if (target === undefined) return `${prefix}: no step "${id}" in this workflow`;
  if (target === record) return `${prefix}: a step cannot use its own output`;
  const held = target.ancestors.includes(record.order);
  if (inner && held) {
    const deeper = [...target.perItem, ...target.loops].some(
      (order) => order !== record.order && !record.perItem.includes(order) && !record.loops.includes(order),
    );
    return deeper
      ? `${prefix}: "${id}" runs many times inside this loop's body; read a step of the body itself`
      : undefined;
  }
  if (record.ancestors.includes(target.order)) {
    return `${prefix}: "${id}" holds this step, so it has no output before this step is done`;
  }
  if (target.order > record.order) {
    // In a loop's body, a later step of the body has the previous iteration's output (null in the first),
    // as spec-kit's do-while files read a review gate's choice at the top of the body.
    const sameLoop = target.loops.some((order) => record.loops.includes(order));
    if (!sameLoop) return `${prefix}: "${id}" comes after this step; a step can only use steps before it`;
  }
  const outside = target.perItem.find((order) => !record.perItem.includes(order));
  if (outside !== undefined) {
    const fanOut = records.find((candidate) => candidate.order === outside)?.label.id ?? '?';
    return (
      `${prefix}: "${id}" runs once per item of "${fanOut}"; outside that fan-out, ` +
      `use steps.${fanOut}.output.results`
    );
  }
  const loop = target.loops.find((order) => !record.loops.includes(order));
  if (loop !== undefined) {
    const loopId = records.find((candidate) => candidate.order === loop)?.label.id ?? '?';
    return (
      `${prefix}: "${id}" runs once per iteration of "${loopId}"; outside that loop, ` +
      `use steps.${loopId}.output.outputs.${id} (its last iteration)`
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
