import type { SqlValue } from './sql-values.js';

/**
 * Partial updates through one statement prepared once: every mutable column gets an assignment that
 * keeps the old value unless its `set_<column>` flag is 1. A field left `undefined` is kept; `null`
 * clears it. This avoids building SQL per call (and a statement cache keyed by the set of fields).
 */

/** `col = CASE WHEN @set_col THEN @col ELSE col END, …` for the given columns. */
export function assignments(columns: readonly string[]): string {
  return columns
    .map((column) => `${column} = CASE WHEN @set_${column} THEN @${column} ELSE ${column} END`)
    .join(',\n  ');
}

/**
 * The named parameters of `assignments(columns)`: for each column its value (or NULL) and its flag.
 * `values` holds the encoded fields of the patch by column; `undefined` means "leave unchanged".
 */
export function assignmentParams(
  columns: readonly string[],
  values: Readonly<Record<string, SqlValue | undefined>>,
): Record<string, SqlValue> {
  const params: Record<string, SqlValue> = {};
  for (const column of columns) {
    const value = values[column];
    params[column] = value ?? null;
    params[`set_${column}`] = value === undefined ? 0 : 1;
  }
  return params;
}
