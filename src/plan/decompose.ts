import { createHash } from 'node:crypto';
import { compareCodeUnits } from './merge/scope.js';
import { PlanError } from './plan-error.js';
import type { DecomposeOptions, Decomposition, LeafScope, PlanFile, PlanLeaf, PlanNode } from './types.js';

/** The token estimate: one token per this many bytes. */
export const BYTES_PER_TOKEN = 4;

/** The bounds `decompose` uses when none are given (`--max-files`, `--max-tokens`, …). */
export const DEFAULT_BOUNDS: Required<DecomposeOptions> = {
  maxFiles: 25,
  maxTokens: 60_000,
  minFiles: 3,
  maxDepth: 8,
};

/** The flag or field each bound is given as (`--max-files`, a `plan` step's `max_files`). */
const FIELDS = {
  maxFiles: 'max_files',
  maxTokens: 'max_tokens',
  minFiles: 'min_files',
  maxDepth: 'max_depth',
} as const satisfies Record<keyof DecomposeOptions, string>;

/** The bounds as a `plan` step and `flotilla plan --json` spell them. */
export type BoundFields = { readonly [K in keyof DecomposeOptions as (typeof FIELDS)[K]]?: number };

/** `{ max_files: 10 }` → `{ maxFiles: 10 }`: the bounds given as fields, for `decompose`. */
export function decomposeOptionsOf(fields: BoundFields): DecomposeOptions {
  const options: { -readonly [K in keyof DecomposeOptions]: number } = {};
  for (const [key, field] of Object.entries(FIELDS) as [
    keyof DecomposeOptions,
    (typeof FIELDS)[keyof DecomposeOptions],
  ][]) {
    const value = fields[field];
    if (value !== undefined) options[key] = value;
  }
  return options;
}

/** A file as the decomposition walks it: its path cut into folders once. */
interface Entry {
  readonly path: string;
  readonly segments: readonly string[];
  readonly tokens: number;
}

/**
 * A set of files that may become one node: the whole subtree of `dir`, only the files directly in `dir`,
 * or several small siblings under `dir` grouped together.
 */
interface Cluster {
  readonly kind: 'tree' | 'direct' | 'group';
  /** The folder (`''` the root): the subtree's, the direct files', or the group's parent. */
  readonly dir: string;
  /** How deep `dir` is (its number of segments). */
  readonly level: number;
  readonly entries: readonly Entry[];
  readonly tokens: number;
  /** A group's members: the subfolders' names, `*` for the parent's own files. */
  readonly members?: readonly Cluster[];
}

/**
 * Splits files into leaves by directory (docs/plan.md): a node is a leaf when it holds at most `maxFiles`
 * files and `maxTokens` estimated tokens; otherwise it splits into its own files and its subfolders, with
 * consecutive siblings smaller than `minFiles` grouped while they fit, down to `maxDepth`. A node that
 * cannot split (a flat folder, or the depth limit) is cut into parts in path order instead — so the
 * recursion always ends, and within bounds: only a single file larger than `maxTokens` makes a leaf over
 * them. A folder that holds nothing but one subfolder is that subfolder (no depth spent on it).
 *
 * Every file lands in exactly one leaf; the same files always give the same tree, leaves and ids,
 * whatever order they come in.
 *
 * @param files - paths relative to the repository root, `/`-separated, each once.
 * @throws PlanError `E_INVALID_ARGUMENT` naming the field (`max_files`, …, or `files`) of bad input.
 */
export function decompose(files: readonly PlanFile[], options: DecomposeOptions = {}): Decomposition {
  const bounds = boundsOf(options);
  const entries = entriesOf(files);
  const leaves: PlanLeaf[] = [];
  const planner = new Planner(bounds, leaves);
  const root: PlanNode =
    entries.length === 0
      ? { path: '.', depth: 0, files: 0, tokens: 0, children: [] }
      : planner.root(cluster('tree', '', 0, entries));
  return {
    root,
    leaves,
    stats: {
      files: entries.length,
      leaves: leaves.length,
      max_depth: leaves.reduce((deepest, leaf) => Math.max(deepest, leaf.depth), 0),
    },
  };
}

/** A plan's id: 10 hex digits of the task and its leaves' ids, so the same task over the same tree is the same plan. */
export function planId(task: string, leaves: readonly Pick<PlanLeaf, 'id'>[]): string {
  const hash = createHash('sha256').update(task).update('\0');
  for (const leaf of leaves) hash.update(leaf.id).update('\0');
  return hash.digest('hex').slice(0, 10);
}

class Planner {
  /** Ids given so far: two leaves never share one. */
  private readonly ids = new Set<string>();

  constructor(
    private readonly bounds: Required<DecomposeOptions>,
    private readonly leaves: PlanLeaf[],
  ) {}

  /** The root node: a leaf, or a split (a flat root over the bounds: into its parts, one level down). */
  root(whole: Cluster): PlanNode {
    return this.nodesOf(whole, 0)[0]!;
  }

  /** The nodes `cluster` becomes at `depth`: itself (a leaf or a split), or its parts (same depth). */
  private nodesOf(input: Cluster, depth: number): PlanNode[] {
    const node = input.kind === 'tree' ? compress(input) : input;
    if (this.fits(node)) return [this.leaf(node, depth, pathOf(node), scopeOf(node))];
    const groups = depth < this.bounds.maxDepth && node.kind === 'tree' ? this.groupsOf(node) : [];
    if (groups.length >= 2) {
      return [
        splitNode(
          node,
          depth,
          groups.flatMap((group) => this.nodesOf(group, depth + 1)),
        ),
      ];
    }
    // Non-progress (a flat folder, or no depth left): cut into parts. The root stays one node at depth 0.
    return depth === 0 ? [splitNode(node, 0, this.parts(node, 1))] : this.parts(node, depth);
  }

  private fits(node: Cluster): boolean {
    return node.entries.length <= this.bounds.maxFiles && node.tokens <= this.bounds.maxTokens;
  }

  /** A tree's children: its own files, then its subfolders by name, with consecutive small ones grouped. */
  private groupsOf(node: Cluster): Cluster[] {
    const direct: Entry[] = [];
    const byFolder = new Map<string, Entry[]>();
    for (const entry of node.entries) {
      if (entry.segments.length === node.level + 1) {
        direct.push(entry);
        continue;
      }
      const name = entry.segments[node.level]!;
      const list = byFolder.get(name);
      if (list === undefined) byFolder.set(name, [entry]);
      else list.push(entry);
    }
    const clusters: Cluster[] = direct.length > 0 ? [cluster('direct', node.dir, node.level, direct)] : [];
    for (const name of [...byFolder.keys()].sort(compareCodeUnits)) {
      const dir = node.dir === '' ? name : `${node.dir}/${name}`;
      clusters.push(cluster('tree', dir, node.level + 1, byFolder.get(name)!));
    }
    return this.grouped(node, clusters);
  }

  /** Runs of consecutive small clusters (fewer than `minFiles`) merged while the run fits the bounds. */
  private grouped(parent: Cluster, clusters: readonly Cluster[]): Cluster[] {
    const out: Cluster[] = [];
    let run: Cluster[] = [];
    let files = 0;
    let tokens = 0;
    const close = (): void => {
      if (run.length === 1) out.push(run[0]!);
      else if (run.length > 1) {
        out.push({
          kind: 'group',
          dir: parent.dir,
          level: parent.level,
          entries: run.flatMap((member) => member.entries).sort(byPath),
          tokens,
          members: run,
        });
      }
      run = [];
      files = 0;
      tokens = 0;
    };
    for (const candidate of clusters) {
      const small = candidate.entries.length < this.bounds.minFiles && this.fits(candidate);
      if (!small) {
        close();
        out.push(candidate);
        continue;
      }
      if (
        files + candidate.entries.length > this.bounds.maxFiles ||
        tokens + candidate.tokens > this.bounds.maxTokens
      ) {
        close();
      }
      run.push(candidate);
      files += candidate.entries.length;
      tokens += candidate.tokens;
    }
    close();
    return out;
  }

  /** `node` cut into leaves in path order, each within the bounds (a file over `maxTokens` alone). */
  private parts(node: Cluster, depth: number): PlanNode[] {
    const { maxFiles, maxTokens } = this.bounds;
    // As many parts as the file bound needs, evened out, then cut again where the tokens overflow.
    const perPart = Math.ceil(node.entries.length / Math.ceil(node.entries.length / maxFiles));
    const chunks: Entry[][] = [];
    let chunk: Entry[] = [];
    let tokens = 0;
    for (const entry of node.entries) {
      if (chunk.length > 0 && (chunk.length >= perPart || tokens + entry.tokens > maxTokens)) {
        chunks.push(chunk);
        chunk = [];
        tokens = 0;
      }
      chunk.push(entry);
      tokens += entry.tokens;
    }
    if (chunk.length > 0) chunks.push(chunk);
    const label = pathOf(node);
    return chunks.map((entries, index) => {
      const part = cluster(node.kind, node.dir, node.level, entries);
      // A part may not add files to its folders: its siblings share them.
      return this.leaf(part, depth, `${label} (${index + 1}/${chunks.length})`, { dirs: [], trees: [] });
    });
  }

  private leaf(node: Cluster, depth: number, path: string, scope: LeafScope): PlanNode {
    const files = node.entries.map((entry) => entry.path);
    const id = this.idOf(path, files);
    this.leaves.push({ id, path, files, tokens: node.tokens, depth, sparse: sparseOf(files), scope });
    return { path, depth, files: files.length, tokens: node.tokens, leaf: id, children: [] };
  }

  /** `slug-hash`: the path made safe (`[a-z0-9-]`, at most 40 characters) and 6 hex digits of the files. */
  private idOf(path: string, files: readonly string[]): string {
    const slug =
      path
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40)
        .replace(/-+$/, '') || 'root';
    const digest = createHash('sha256').update(files.join('\0')).digest('hex');
    for (let length = 6; ; length += 2) {
      const id = `${slug}-${digest.slice(0, length)}`;
      if (!this.ids.has(id)) {
        this.ids.add(id);
        return id;
      }
    }
  }
}

function boundsOf(options: DecomposeOptions): Required<DecomposeOptions> {
  const bounds = { ...DEFAULT_BOUNDS };
  for (const key of Object.keys(FIELDS) as (keyof DecomposeOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new PlanError(
        'E_INVALID_ARGUMENT',
        `${FIELDS[key]} must be an integer of at least 1, not ${JSON.stringify(value) ?? String(value)}`,
        FIELDS[key],
      );
    }
    bounds[key] = value;
  }
  return bounds;
}

function entriesOf(files: readonly PlanFile[]): Entry[] {
  const seen = new Set<string>();
  const entries: Entry[] = [];
  for (const [index, file] of files.entries()) {
    const { path, bytes } = file;
    const segments = typeof path === 'string' ? path.split('/') : [];
    if (
      segments.length === 0 ||
      segments.some((segment) => segment === '' || segment === '.' || segment === '..')
    ) {
      throw new PlanError(
        'E_INVALID_ARGUMENT',
        `files[${index}].path must be a relative path without empty, . or .. parts, not ${JSON.stringify(path)}`,
        'files',
      );
    }
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new PlanError('E_INVALID_ARGUMENT', `files[${index}].bytes must be a size in bytes`, 'files');
    }
    if (seen.has(path)) throw new PlanError('E_INVALID_ARGUMENT', `files lists ${path} twice`, 'files');
    seen.add(path);
    entries.push({ path, segments, tokens: Math.ceil(bytes / BYTES_PER_TOKEN) });
  }
  return entries.sort(byPath);
}

function cluster(kind: Cluster['kind'], dir: string, level: number, entries: readonly Entry[]): Cluster {
  let tokens = 0;
  for (const entry of entries) tokens += entry.tokens;
  return { kind, dir, level, entries, tokens };
}

/** A subtree whose files all lie in one subfolder is that subfolder. */
function compress(node: Cluster): Cluster {
  let { dir, level } = node;
  const first = node.entries[0];
  if (node.kind !== 'tree' || first === undefined) return node;
  for (;;) {
    const name = first.segments[level];
    if (first.segments.length === level + 1 || name === undefined) break;
    if (!node.entries.every((entry) => entry.segments.length > level + 1 && entry.segments[level] === name))
      break;
    dir = dir === '' ? name : `${dir}/${name}`;
    level += 1;
  }
  return level === node.level ? node : { ...node, dir, level };
}

function splitNode(node: Cluster, depth: number, children: readonly PlanNode[]): PlanNode {
  return { path: pathOf(node), depth, files: node.entries.length, tokens: node.tokens, children };
}

/** A node's name for people: `src/api`, `src/api/*` (its own files), `src/{a,b,*}`, `.` the root. */
function pathOf(node: Cluster): string {
  const base = node.dir === '' ? '.' : node.dir;
  if (node.kind === 'tree') return base;
  if (node.kind === 'direct') return `${base}/*`;
  const names = (node.members ?? []).map((member) =>
    member.kind === 'direct' ? '*' : member.dir.slice(node.dir === '' ? 0 : node.dir.length + 1),
  );
  return `${base === '.' ? '' : `${base}/`}{${names.join(',')}}`;
}

/** Where a whole leaf may add files: its subtrees whole, its own folder's top level. */
function scopeOf(node: Cluster): LeafScope {
  if (node.kind === 'tree') return { dirs: [], trees: [node.dir] };
  if (node.kind === 'direct') return { dirs: [node.dir], trees: [] };
  const members = node.members ?? [];
  return {
    dirs: members.filter((member) => member.kind === 'direct').map((member) => member.dir),
    trees: members.filter((member) => member.kind === 'tree').map((member) => member.dir),
  };
}

/** The folders a cone-mode sparse checkout of `files` needs: their parents, none under another, sorted. */
function sparseOf(files: readonly string[]): string[] {
  const parents = new Set<string>();
  for (const file of files) {
    const slash = file.lastIndexOf('/');
    if (slash !== -1) parents.add(file.slice(0, slash));
  }
  const sorted = [...parents].sort(compareCodeUnits);
  const kept: string[] = [];
  for (const folder of sorted) {
    // A leaf's files are few (at most `maxFiles`), so are its folders: a scan is enough.
    if (kept.some((outer) => folder.startsWith(`${outer}/`))) continue;
    kept.push(folder);
  }
  return kept;
}

function byPath(a: Entry, b: Entry): number {
  return compareCodeUnits(a.path, b.path);
}
