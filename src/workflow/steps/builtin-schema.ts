import { BUILTIN_STEP_SCHEMAS, type StepSchema } from '../format/index.js';

/** The loader's schema of a built-in step type, which its `StepType` extends with `execute`. */
export function builtinSchema(type: string): StepSchema {
  const schema = BUILTIN_STEP_SCHEMAS.find((candidate) => candidate.type === type);
  if (schema === undefined) throw new Error(`No built-in schema for step type "${type}"`);
  return schema;
}
