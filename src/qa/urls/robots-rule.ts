import { matchForm } from './percent.js';

/** One `Allow` or `Disallow` line of a robots.txt group, compiled for matching. */
export interface RobotsRule {
  readonly allow: boolean;
  /** The literal parts between `*` wildcards, in match form; the first is a prefix of the path. */
  readonly pieces: readonly string[];
  /** The pattern ended with `$`: the path must end where it does. */
  readonly anchored: boolean;
  /** How specific it is: the length of the pattern in match form (RFC 9309 §2.2.2: most octets wins). */
  readonly priority: number;
}

/**
 * A rule's path pattern compiled, or `undefined` for one that matches nothing: an empty value
 * (`Disallow:` allows everything) or one that starts with neither `/` nor `*`. `*` matches any run
 * of characters, `$` at the end anchors the match; `%2A` and `%24` are a literal `*` and `$`
 * (RFC 9309 §2.2.3), and a `$` elsewhere is itself.
 */
export function compileRule(allow: boolean, pattern: string): RobotsRule | undefined {
  if (!pattern.startsWith('/') && !pattern.startsWith('*')) return undefined;
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : pattern;
  // `**` is `*`: collapsed so a long run of them costs nothing when matching.
  const pieces = body.replace(/\*+/g, '*').split('*').map(matchForm);
  const priority = pieces.reduce((sum, piece) => sum + piece.length, pieces.length - 1) + (anchored ? 1 : 0);
  return { allow, pieces, anchored, priority };
}

/**
 * Whether `rule` matches `path` (a URL's path and query, in match form) from its first character.
 * Each literal piece is found leftmost after the one before it, which is exact for `*`-only globs
 * and never backtracks: one search per piece, so a hostile pattern (`/*a*a*a*…`) costs no more than
 * its length times the path's.
 */
export function ruleMatches(rule: RobotsRule, path: string): boolean {
  const { pieces, anchored } = rule;
  const first = pieces[0]!;
  if (!path.startsWith(first)) return false;
  const last = pieces.length - 1;
  if (last === 0) return !anchored || path.length === first.length;
  let position = first.length;
  for (let index = 1; index < last; index++) {
    const piece = pieces[index]!;
    const found = path.indexOf(piece, position);
    if (found < 0) return false;
    position = found + piece.length;
  }
  const tail = pieces[last]!;
  if (anchored) return path.length - tail.length >= position && path.endsWith(tail);
  return path.indexOf(tail, position) >= 0;
}

/**
 * Whether `rules` allow `path` (in match form): the matching rule with the highest priority decides,
 * `Allow` winning a tie; no matching rule allows.
 */
export function allowedBy(rules: readonly RobotsRule[], path: string): boolean {
  let best: RobotsRule | undefined;
  for (const rule of rules) {
    if (best !== undefined && rule.priority < best.priority) continue;
    if (best !== undefined && rule.priority === best.priority && !rule.allow) continue;
    if (ruleMatches(rule, path)) best = rule;
  }
  return best?.allow ?? true;
}
