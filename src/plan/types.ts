/**
 * The planner's model (docs/plan.md): a task over a codebase split into leaves by directory, each leaf one
 * agent job, and the leaves' changes brought back as one branch. Pure data, shared by the decomposition,
 * the merge and the `plan` step type.
 */

/** A file the planner may hand to a leaf: its path relative to the repository root, `/`-separated. */
export interface PlanFile {
  readonly path: string;
  /** Size in bytes (the token estimate is `ceil(bytes / BYTES_PER_TOKEN)`). */
  readonly bytes: number;
}

/** The bounds of a decomposition (`--max-files`, `--max-tokens`, `--min-files`, `--max-depth`). */
export interface DecomposeOptions {
  /** A node becomes a leaf when it holds at most this many files (and at most `maxTokens`). @default 25 */
  readonly maxFiles?: number;
  /** …and at most this many estimated tokens. @default 60_000 */
  readonly maxTokens?: number;
  /** Sibling clusters with fewer files than this are grouped together. @default 3 */
  readonly minFiles?: number;
  /** Splits stop here: deeper nodes are chunked in stable order instead. @default 8 */
  readonly maxDepth?: number;
}

/**
 * Where a leaf may write: the files it was given, plus new files directly in `dirs` (its own folders) or
 * anywhere under `trees` (folders whose whole subtree is the leaf's).
 */
export interface LeafScope {
  /** Folders whose files directly inside belong to the leaf (not their subfolders). */
  readonly dirs: readonly string[];
  /** Folders whose whole subtree belongs to the leaf. `''` is the repository root. */
  readonly trees: readonly string[];
}

/** One unit of work: the files one agent job is given. */
export interface PlanLeaf {
  /** Deterministic (same files, same id), short, `[a-z0-9-]` only: safe in a file name and a branch name. */
  readonly id: string;
  /**
   * What the leaf stands for, for people: `src/api` (a folder's whole subtree), `src/api/*` (only the files
   * directly in it), `src/util/{a,b,*}` (small siblings grouped; `*` the parent's own files), `src/big (2/3)`
   * (a part of a folder that could not split), `.` the whole root, `./*` the root's own files.
   */
  readonly path: string;
  /** Its files, sorted (code-unit order). Every file of the input is in exactly one leaf. */
  readonly files: readonly string[];
  /** Estimated tokens of its files. */
  readonly tokens: number;
  /** How many splits down from the root it sits (the root is 0). */
  readonly depth: number;
  /** The folders a sparse checkout of the leaf needs (git cone mode); `[]` when only root files. */
  readonly sparse: readonly string[];
  readonly scope: LeafScope;
}

/** A node of the hierarchy: a leaf, or a split into children. */
export interface PlanNode {
  readonly path: string;
  readonly depth: number;
  readonly files: number;
  readonly tokens: number;
  /** The leaf's id for a leaf; `undefined` for a split. */
  readonly leaf?: string;
  readonly children: readonly PlanNode[];
}

/** What `decompose` gives: the tree, its leaves in tree order (depth first, sorted) and its numbers. */
export interface Decomposition {
  readonly root: PlanNode;
  readonly leaves: readonly PlanLeaf[];
  readonly stats: { readonly files: number; readonly leaves: number; readonly max_depth: number };
}
