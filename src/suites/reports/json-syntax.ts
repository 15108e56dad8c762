/** Where a JSON text stops being JSON, and why. */
export interface JsonSyntaxProblem {
  /** 1-based line of the first character that does not fit. */
  readonly line: number;
  /** 1-based column of it (in UTF-16 code units, as editors count for most text). */
  readonly column: number;
  readonly reason: string;
}

type Container = '[' | '{';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const ESCAPED = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const BAD_STRING = 'a string that does not end, or holds a bad escape or a raw control character';

/**
 * The first syntax error of `text` as JSON (RFC 8259), or `undefined` when it is JSON. `JSON.parse`
 * says that a text is not JSON, but on Node 20 often not where; a report's error names the line and
 * column. Iterative, so a hostile nesting depth cannot overflow the stack.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const stack: Container[] = [];
  let i = 0;
  const problem = (reason: string, at = i): JsonSyntaxProblem => ({ ...lineAndColumn(text, at), reason });
  const skipWhitespace = (): void => {
    while (i < text.length && WHITESPACE.has(text.charAt(i))) i++;
  };
  const found = (): string =>
    i >= text.length ? 'the end of the file' : JSON.stringify(text.charAt(i)).replaceAll('"', "'");
  const match = (pattern: RegExp): boolean => {
    pattern.lastIndex = i;
    if (!pattern.test(text)) return false;
    i = pattern.lastIndex;
    return true;
  };
  /** Moves past the string that starts at i (a quote); false at a bad escape, a control or the end. */
  const readString = (): boolean => {
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        i++;
        if (text.charAt(i) === 'u') {
          HEX4.lastIndex = i + 1;
          if (!HEX4.test(text)) return false;
          i += 4;
        } else if (!ESCAPED.has(text.charAt(i))) {
          return false;
        }
      }
    }
    return false;
  };
  /** Reads `"key":` of an object member; returns a problem if it is not there. */
  const readKey = (): JsonSyntaxProblem | undefined => {
    skipWhitespace();
    if (text.charAt(i) !== '"') return problem(`expected a "key" in quotes, found ${found()}`);
    if (!readString()) return problem(BAD_STRING);
    skipWhitespace();
    if (text.charAt(i) !== ':') return problem(`expected ':' after the key, found ${found()}`);
    i++;
    return undefined;
  };

  skipWhitespace();
  for (;;) {
    // A value is expected at i.
    skipWhitespace();
    const c = text.charAt(i);
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      skipWhitespace();
      const close = c === '{' ? '}' : ']';
      if (text.charAt(i) !== close) {
        if (c === '{') {
          const bad = readKey();
          if (bad) return bad;
        }
        continue;
      }
      i++;
      stack.pop();
    } else if (c === '"') {
      if (!readString()) return problem(BAD_STRING);
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      if (!match(NUMBER)) return problem('a malformed number');
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      i += 4;
    } else if (text.startsWith('false', i)) {
      i += 5;
    } else {
      return problem(`expected a value, found ${found()}`);
    }
    // After a value: a separator, the end of containers, or the end of the document.
    for (;;) {
      skipWhitespace();
      const top = stack.at(-1);
      if (top === undefined) {
        return i < text.length ? problem(`unexpected ${found()} after the end of the document`) : undefined;
      }
      const close = top === '{' ? '}' : ']';
      const next = text.charAt(i);
      if (next === close) {
        stack.pop();
        i++;
        continue;
      }
      if (next !== ',') return problem(`expected ',' or '${close}', found ${found()}`);
      i++;
      if (top === '{') {
        const bad = readKey();
        if (bad) return bad;
      }
      break;
    }
  }
}

/** The 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
