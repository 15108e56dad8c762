import type { PlanLeaf } from '../types.js';

/** What the scope check needs of a leaf. */
export type ScopedLeaf = Pick<PlanLeaf, 'files' | 'scope'>;

/**
 * The files a leaf changed that were not its own to change, sorted: every changed file outside
 * `leaf.files`, except a new file inside the leaf's scope (directly in one of `scope.dirs`, or anywhere
 * under one of `scope.trees`; the tree `''` is the whole repository).
 *
 * @param changedFiles - the leaf's changed paths, relative to the repository root, `/`-separated.
 * @param addedFiles - which of them are new (absent from the base). When omitted, every changed file
 *   outside `leaf.files` counts as new: right when the leaves cover every tracked file, since a file that
 *   existed then belongs to some leaf's `files`. `mergeLeaves` always passes it, so editing or deleting a
 *   file of the base that no leaf was given is flagged too.
 */
export function scopeViolations(
  leaf: ScopedLeaf,
  changedFiles: readonly string[],
  addedFiles?: readonly string[] | ReadonlySet<string>,
): string[] {
  const own = new Set(leaf.files);
  const added = addedFiles === undefined ? undefined : new Set(addedFiles);
  const dirs = new Set(leaf.scope.dirs.map(withoutSlashes));
  const trees = leaf.scope.trees.map(withoutSlashes);
  const violations = new Set<string>();
  for (const file of changedFiles) {
    if (own.has(file)) continue;
    const isNew = added === undefined || added.has(file);
    if (isNew && (dirs.has(parentOf(file)) || trees.some((tree) => isUnder(file, tree)))) continue;
    violations.add(file);
  }
  return [...violations].sort(compareCodeUnits);
}

/** The folder a path is directly in; `''` for a file at the root. */
function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** Whether `path` lies anywhere under the folder `tree` (`''` holds everything). */
function isUnder(path: string, tree: string): boolean {
  return tree === '' || path.startsWith(`${tree}/`);
}

/** A folder as the scope may spell it (`src/`, `./`, `.`) in the form paths are compared with. */
function withoutSlashes(folder: string): string {
  const trimmed = folder.replace(/^\.\/+/, '').replace(/\/+$/, '');
  return trimmed === '.' ? '' : trimmed;
}

/** The order `PlanLeaf.files` is sorted in (code units, not locale). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
