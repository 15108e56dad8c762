import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/** A 1-based line and column in a file. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Point at a key (`agnets:` is unknown) or at its value (`concurrency: ten` is not a number). */
export type LocationTarget = 'key' | 'value';

/** A node as `yaml` gives it: anything with an optional source range. */
interface Ranged {
  readonly range?: readonly [number, number, number] | null;
}

/**
 * The position of the key or value at `path` in a parsed document, for error messages.
 *
 * When the path goes further than the document (a required key is missing), the answer is the key of
 * the deepest mapping that exists, so `agents.claude.command` missing points at `claude:`. An empty
 * value (`command:` and nothing) also points at its key.
 */
export function locate(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  target: LocationTarget,
): SourcePosition {
  const positionOf = (node: Ranged | null | undefined): SourcePosition | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const start: SourcePosition = { line: 1, column: 1 };

  let node: unknown = document.contents;
  let key: Ranged | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(document);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) return positionOf(key) ?? positionOf(node) ?? start;
      key = pair.key as Ranged;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      key = undefined;
      node = node.items[segment];
    } else {
      return positionOf(node as Ranged | null) ?? positionOf(key) ?? start;
    }
  }
  if (target === 'key' && key !== undefined) return positionOf(key) ?? start;
  const empty =
    isScalar(node) && node.range !== undefined && node.range !== null && node.range[0] === node.range[1];
  if (empty || node === null || node === undefined) return positionOf(key) ?? start;
  return positionOf(node) ?? positionOf(key) ?? start;
}
