import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../store/index.js';

/**
 * The query of a list route (`GET /v1/jobs`, `GET /v1/runs`): an optional `status` among `statuses`, a
 * page size `limit` (1 to `MAX_PAGE_SIZE`) and the `cursor` of the previous page's `next_cursor`.
 */
export function listQuerySchema<const S extends readonly [string, ...string[]]>(statuses: S) {
  return z.object({
    status: z.enum(statuses, { error: `expected one of: ${statuses.join(', ')}` }).optional(),
    limit: z.coerce
      .number({ error: 'expected an integer' })
      .int('expected an integer')
      .min(1, 'expected an integer ≥ 1')
      .max(MAX_PAGE_SIZE, `expected an integer ≤ ${MAX_PAGE_SIZE}`)
      .optional(),
    cursor: z.string().min(1, 'expected the next_cursor of a previous page').optional(),
  });
}
