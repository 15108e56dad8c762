import { InvalidArgumentError } from '../core/index.js';

/** One page of a newest-first list. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Pass it as `cursor` to get the next (older) page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** Options of a newest-first list with keyset pagination. */
export interface PageOptions {
  /**
   * How many items a page holds: an integer from 1 to `MAX_PAGE_SIZE`.
   * @default 50
   */
  readonly limit?: number;
  /** The `nextCursor` of the previous page; absent or `null` for the first page. */
  readonly cursor?: string | null;
}

/** The default page size of list calls. */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest page size a list call accepts. */
export const MAX_PAGE_SIZE = 1000;

const CURSOR_PREFIX = 'o';

/**
 * The page size of `options`, checked.
 * @throws InvalidArgumentError when it is not an integer from 1 to `MAX_PAGE_SIZE`.
 */
export function pageLimit(limit: number | undefined): number {
  const value = limit ?? DEFAULT_PAGE_SIZE;
  if (Number.isInteger(value) && value >= 1 && value <= MAX_PAGE_SIZE) return value;
  throw new InvalidArgumentError(
    `Expected \`limit\` to be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(value)} (${typeof value})`,
  );
}

/**
 * The order key after which a page starts (exclusive), or `null` for the first page. Cursors are
 * opaque to callers: the key is wrapped so that nobody builds them by hand and we can change them.
 * @throws InvalidArgumentError when the cursor was not made by `encodeCursor`.
 */
export function decodeCursor(cursor: string | null | undefined): number | null {
  if (cursor === undefined || cursor === null) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const order = Number(text.slice(CURSOR_PREFIX.length));
  if (text.startsWith(CURSOR_PREFIX) && Number.isSafeInteger(order) && order > 0) return order;
  throw new InvalidArgumentError(
    `Expected \`cursor\` to be a cursor from a previous page, got ${JSON.stringify(cursor)}`,
  );
}

/** The opaque cursor for "the items after the one with this order key". */
export function encodeCursor(order: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${order}`, 'utf8').toString('base64url');
}

/**
 * Makes a page out of up to `limit + 1` rows read newest first: the extra row, when present, only says
 * that another page exists.
 */
export function toPage<Row, T>(
  rows: readonly Row[],
  limit: number,
  orderOf: (row: Row) => number,
  map: (row: Row) => T,
): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(orderOf(last)) : null;
  return { items: pageRows.map(map), nextCursor };
}
