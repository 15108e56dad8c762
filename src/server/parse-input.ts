import type { z } from 'zod';
import { parseRequest } from '../config/index.js';
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
  return parseRequest(
    schema,
    value,
    ({ field, message }) => new ServerError('E_INVALID_REQUEST', `${field}: ${message}`, { field }),
    { where, ...(knownFields === undefined ? {} : { knownFields }) },
  );
}
