import { describeValue, expectationMessages } from '../../config/index.js';
import type { StepDefinition } from './definition.js';
import type { NestedSteps, StepSchema } from './step-schema.js';
import type { DataPath, StepLabel, WorkflowSource } from './workflow-source.js';

/** A step's id: a name usable in `steps.ID` (no `:`, which item ids use as a separator). */
export const STEP_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** What the cross-checks need to know of each step with a usable id. */
export interface StepRecord {
  readonly label: StepLabel;
  /** The step's position among all steps in document order (a step before the ones it holds). */
  readonly order: number;
  /** The `order` of every step that holds this one, outermost first. */
  readonly ancestors: readonly number[];
  /** The `order` of every step whose per-item field (a fan-out's `step`) holds this one, outermost first. */
  readonly perItem: readonly number[];
  /** The `order` of every loop whose body holds this one, outermost first. */
  readonly loops: readonly number[];
  /** Its type's schema; `undefined` for an unknown type. */
  readonly schema?: StepSchema;
  /** Its own fields (not `id`, `type`, `name` or nested steps): as parsed, or as written when they failed. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The steps of a file and a record of each, for the cross-checks. */
export interface ParsedSteps {
  readonly steps: StepDefinition[];
  readonly records: StepRecord[];
}

interface Parent {
  readonly ancestors: readonly number[];
  readonly perItem: readonly number[];
  readonly loops: readonly number[];
}

/**
 * Step types of spec-kit that Flotilla does not run, and what to do instead: a file that uses one is
 * refused with this, not with a bare "unknown step type".
 */
const UNSUPPORTED_TYPES: Readonly<Record<string, string>> = {
  'speckit-task-shards':
    "speckit-task-shards is spec-kit's own task splitter, which Flotilla does not have: write a shell step that prints the shards as JSON (output_format: json) and fan out over its output.data",
};

/**
 * Parses a list of steps (the file's `steps`), each against its type's schema and its nested steps
 * recursively, filling in defaults and locations. Problems go to `source`; the steps are complete only
 * when it reports none.
 */
export function parseSteps(
  list: readonly unknown[],
  source: WorkflowSource,
  schemas: readonly StepSchema[],
): ParsedSteps {
  const byType = new Map(schemas.map((schema) => [schema.type, schema]));
  const known = schemas
    .filter((schema) => schema.madeBy === undefined)
    .map((schema) => schema.type)
    .join(', ');
  const records: StepRecord[] = [];
  let count = 0;

  const parseList = (items: readonly unknown[], path: DataPath, parent: Parent): StepDefinition[] =>
    items.flatMap((item, index) => parseStep(item, [...path, index], parent) ?? []);

  const parseStep = (raw: unknown, path: DataPath, parent: Parent): StepDefinition | undefined => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      source.report(path, `expected a step (a mapping with id and type), got ${describeValue(raw)}`);
      return undefined;
    }
    const { id, type: written, name, continue_on_error, ...rest } = raw as Record<string, unknown>;
    // spec-kit's default type: a step with `command:` and no `type:` is a command step.
    const type = written === undefined && rest['command'] !== undefined ? 'command' : written;
    const validId = checkId(id, path, source);
    const label: StepLabel | undefined = validId === undefined ? undefined : { id: validId, path };
    const schema = typeof type === 'string' ? byType.get(type) : undefined;
    const unsupported = typeof type === 'string' ? UNSUPPORTED_TYPES[type] : undefined;
    if (schema === undefined && unsupported !== undefined) {
      source.report([...path, 'type'], unsupported, { step: label });
    } else if (schema === undefined) {
      const found = type === undefined ? 'missing' : `unknown step type ${describeValue(type)}`;
      source.report([...path, 'type'], `${found} (expected one of: ${known})`, { step: label });
    } else if (schema.madeBy !== undefined) {
      const message = `${schema.type} steps are made by ${schema.madeBy} steps: write a ${schema.madeBy} step`;
      source.report([...path, 'type'], message, { step: label });
    }
    if (name !== undefined && typeof name !== 'string') {
      source.report([...path, 'name'], `expected a string, got ${describeValue(name)}`, { step: label });
    }
    if (continue_on_error !== undefined && typeof continue_on_error !== 'boolean') {
      const message = `expected true or false, got ${describeValue(continue_on_error)}`;
      source.report([...path, 'continue_on_error'], message, { step: label });
    }

    // 1. The type's own fields: everything but the nested steps.
    const nested = schema?.nested ?? [];
    const own = Object.fromEntries(
      Object.entries(rest).filter(([key]) => !nested.some(({ field }) => field === key)),
    );
    let fields: Record<string, unknown> = {};
    if (schema !== undefined) {
      const parsed = schema.fields.safeParse(own, { error: expectationMessages });
      if (!parsed.success) source.reportZod(parsed.error.issues, path, own, label);
      fields = parsed.success ? parsed.data : own;
    }

    // 2. The record, before the nested steps, so `order` is document order.
    const order = count++;
    if (label !== undefined) records.push({ label, order, ...parent, schema, fields });

    // 3. The nested steps, with this step as their parent.
    const children: Record<string, StepDefinition | StepDefinition[] | Record<string, StepDefinition[]>> = {};
    for (const spec of nested) {
      const inner: Parent = {
        ancestors: [...parent.ancestors, order],
        perItem: spec.perItem ? [...parent.perItem, order] : parent.perItem,
        loops: spec.repeated === true ? [...parent.loops, order] : parent.loops,
      };
      const value = parseNested(spec, rest[spec.field], [...path, spec.field], inner, label);
      if (value !== undefined) children[spec.field] = value;
    }

    const location = { file: source.displayName, ...source.position(path) };
    const head = {
      id: validId ?? '',
      type: String(type),
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof continue_on_error === 'boolean' ? { continue_on_error } : {}),
    };
    return { ...head, ...fields, ...children, location };
  };

  const parseNested = (
    spec: NestedSteps,
    value: unknown,
    path: DataPath,
    parent: Parent,
    label: StepLabel | undefined,
  ): StepDefinition | StepDefinition[] | Record<string, StepDefinition[]> | undefined => {
    if (spec.cases === true) return parseCases(value, path, parent, label);
    if (value === undefined || value === null) {
      if (spec.optional) return spec.list ? [] : undefined;
      const expected = spec.list ? 'a list of steps' : 'a step (a mapping with id and type)';
      source.report(path, value === undefined ? `missing, expected ${expected}` : `expected ${expected}`, {
        step: label,
      });
      return undefined;
    }
    if (spec.list) {
      if (Array.isArray(value)) return parseList(value, path, parent);
      source.report(path, `expected a list of steps, got ${describeValue(value)}`, { step: label });
      return undefined;
    }
    if (Array.isArray(value)) {
      source.report(path, `expected one step (a mapping with id and type), got a list`, { step: label });
      return undefined;
    }
    return parseStep(value, path, parent);
  };

  /** A mapping of case names to lists of steps (a `switch`'s `cases`). */
  const parseCases = (
    value: unknown,
    path: DataPath,
    parent: Parent,
    label: StepLabel | undefined,
  ): Record<string, StepDefinition[]> | undefined => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const found = value === undefined ? 'missing' : `got ${describeValue(value)}`;
      source.report(path, `expected a mapping of case values to lists of steps, ${found}`, { step: label });
      return undefined;
    }
    const cases: Record<string, StepDefinition[]> = {};
    for (const [key, steps] of Object.entries(value)) {
      if (Array.isArray(steps)) cases[key] = parseList(steps, [...path, key], parent);
      else
        source.report([...path, key], `expected a list of steps, got ${describeValue(steps)}`, {
          step: label,
        });
    }
    return cases;
  };

  const steps = parseList(list, ['steps'], { ancestors: [], perItem: [], loops: [] });
  return { steps, records };
}

/** The step's id when it is a valid one; otherwise reports why and returns `undefined`. */
function checkId(id: unknown, path: DataPath, source: WorkflowSource): string | undefined {
  if (typeof id === 'string' && STEP_ID.test(id)) return id;
  const expected = 'expected a step id (letters, digits, _ and -, starting with a letter or _)';
  const problem =
    id === undefined
      ? `missing, ${expected}`
      : typeof id === 'string' && id.includes(':')
        ? `a step id may not contain ':' (item ids use it), got ${describeValue(id)}`
        : `${expected}, got ${describeValue(id)}`;
  source.report([...path, 'id'], problem);
  return undefined;
}
