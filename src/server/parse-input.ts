import type { z } from 'zod';
import { describeZodIssue } from '../config/index.js';
import { ServerError } from './server-error.js';

/**
 * `value` (a body or a query) as `schema` reads it, or a 400 `E_INVALID_REQUEST` naming the first field
 * that does not fit (`where` when it is the whole value); unknown keys are named with `knownFields`, when
 * given, as the fields there are.
 * @throws {ServerError} when `value` does not fit.
 */
export function parseInput<T>(
  schema: z.ZodType<T>,
  value: unknown,
  where = 'body',
  knownFields?: readonly string[],
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { field, message } = describeZodIssue(parsed.error.issues[0]!, where, knownFields);
  throw new ServerError('E_INVALID_REQUEST', `${field}: ${message}`, { field });
}
