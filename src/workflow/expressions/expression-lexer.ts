import { ExpressionError } from './expression-error.js';

/** A token of an expression, with where it starts. */
export interface Token {
  /**
   * `name`: an identifier or keyword (after a `.`, a path segment, which may hold `-`); `op`: an operator
   * or punctuation; `end`: past the last token.
   */
  readonly kind: 'number' | 'string' | 'name' | 'op' | 'end';
  /** The number, the string's decoded text, the name, or the operator's spelling. */
  readonly value: string | number;
  /** 0-based offset in the template text. */
  readonly offset: number;
}

/** Operators and punctuation, longest first so `<=` wins over `<`. */
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '(', ')', '[', ']', '.', ',', '|', '!'];

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\0' };

const NAME_START = /[A-Za-z_]/;
const NAME = /[A-Za-z0-9_]/;
/** After a `.`, a segment may hold `-`: step ids such as `build-all`. */
const SEGMENT = /[A-Za-z0-9_-]/;
const DIGIT = /[0-9]/;

/**
 * Splits the expression `text.slice(start, end)` into tokens. Offsets are in `text`, so a message can
 * point into the whole template.
 *
 * @throws {ExpressionError} on an unterminated string or a character no token starts with.
 */
export function tokenize(text: string, start: number, end: number): Token[] {
  const tokens: Token[] = [];
  let at = start;
  const char = (offset: number): string => (offset < end ? (text[offset] ?? '') : '');

  while (at < end) {
    const c = char(at);
    if (/\s/.test(c)) {
      at += 1;
      continue;
    }
    const afterDot = tokens.at(-1)?.value === '.' && tokens.at(-1)?.kind === 'op';
    if (NAME_START.test(c)) {
      const part = afterDot ? SEGMENT : NAME;
      let stop = at + 1;
      while (part.test(char(stop))) stop += 1;
      tokens.push({ kind: 'name', value: text.slice(at, stop), offset: at });
      at = stop;
    } else if (DIGIT.test(c) || (c === '-' && DIGIT.test(char(at + 1)))) {
      at = readNumber(text, at, char, tokens);
    } else if (c === "'" || c === '"') {
      at = readString(text, at, char, tokens);
    } else {
      const op = OPERATORS.find(
        (candidate) => text.startsWith(candidate, at) && at + candidate.length <= end,
      );
      if (op === undefined) {
        const hint = c === '=' ? " (did you mean '=='?)" : c === '&' ? " (did you mean '&&'?)" : '';
        throw new ExpressionError(`unexpected character '${c}'${hint}`, at + 1);
      }
      tokens.push({ kind: 'op', value: op, offset: at });
      at += op.length;
    }
  }
  tokens.push({ kind: 'end', value: '', offset: end });
  return tokens;
}

/** An integer or decimal, maybe negative: `3`, `-1`, `2.5`. */
function readNumber(text: string, start: number, char: (offset: number) => string, tokens: Token[]): number {
  let stop = start + 1;
  while (DIGIT.test(char(stop))) stop += 1;
  if (char(stop) === '.' && DIGIT.test(char(stop + 1))) {
    stop += 1;
    while (DIGIT.test(char(stop))) stop += 1;
  }
  if (NAME_START.test(char(stop))) {
    throw new ExpressionError(`unexpected '${char(stop)}' after a number`, stop + 1);
  }
  tokens.push({ kind: 'number', value: Number(text.slice(start, stop)), offset: start });
  return stop;
}

/** A quoted string with backslash escapes (`\n`, `\t`, `\\`, `\'`; any other `\x` is `x`). */
function readString(text: string, start: number, char: (offset: number) => string, tokens: Token[]): number {
  const quote = char(start);
  let value = '';
  let at = start + 1;
  for (;;) {
    const c = char(at);
    if (c === '') throw new ExpressionError(`unterminated string (no closing ${quote})`, start + 1);
    if (c === quote) break;
    if (c === '\\') {
      const next = char(at + 1);
      if (next === '') throw new ExpressionError(`unterminated string (no closing ${quote})`, start + 1);
      value += ESCAPES[next] ?? next;
      at += 2;
    } else {
      value += c;
      at += 1;
    }
  }
  tokens.push({ kind: 'string', value, offset: start });
  return at + 1;
}

/** A token as a message names it: `')'`, `"abc"`, `the end of the expression`. */
export function describeToken(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression';
  if (token.kind === 'string') return JSON.stringify(token.value);
  return `'${String(token.value)}'`;
}
