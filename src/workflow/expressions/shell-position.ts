/**
 * Where a substituted value lands in a POSIX `sh` line, so it can be escaped for that place: outside
 * quotes (`bare`), inside `'…'` (`single`) or inside `"…"` (`double`).
 */
export type ShellPosition = 'bare' | 'single' | 'double';

/** One expression's place in a shell line: its position, or why no position can be vouched for. */
export type ShellSlot =
  | { readonly position: ShellPosition; readonly problem?: undefined }
  | { readonly position?: undefined; readonly problem: string };

/**
 * Escapes text for its position in a POSIX shell line, so the shell reads it as exactly one literal
 * word (or part of the word the user's quotes make), whatever it holds (`$(…)`, `;`, backticks, quotes,
 * newlines, `\`).
 *
 * - `bare`: wrapped in single quotes, each `'` written as `'\''`;
 * - `single` (the user's `'…'` surround it): each `'` written as `'\''`;
 * - `double` (the user's `"…"` surround it): each of `\`, `"`, `$` and `` ` `` preceded by `\`.
 */
export function shellQuote(text: string, position: ShellPosition = 'bare'): string {
  switch (position) {
    case 'bare':
      return `'${text.replaceAll("'", `'\\''`)}'`;
    case 'single':
      return text.replaceAll("'", `'\\''`);
    case 'double':
      return text.replace(/[\\"$`]/g, (c) => `\\${c}`);
  }
}

/**
 * What the scanner is inside. `command` is `$(…)`, `arith` is `$((…))`, `param` is `${…}`, `ansi` is
 * bash's `$'…'` (whose backslash escapes would change a value that `single` quoting leaves alone).
 */
type Frame = 'single' | 'double' | 'command' | 'arith' | 'param' | 'ansi' | 'backtick';

/** The frames a value cannot be vouched for in, as a message names them. */
const OPAQUE: Readonly<Partial<Record<Frame, string>>> = {
  command: 'inside $(…)',
  arith: 'inside $((…))',
  param: 'inside ${…}',
  ansi: "inside $'…'",
  backtick: 'inside backticks (`…`)',
};

/** Characters after which (unquoted) a new word starts, so a `#` there starts a comment. */
const WORD_BREAK = /[\s;&|()<>]/;

/**
 * A small state machine over the literal text of a shell template, fed one literal chunk at a time;
 * `slot()` says where an expression between two chunks sits. A value never changes the state, because
 * it is escaped for its position. Where sh syntax is too rich to follow with certainty (inside a
 * command substitution, backticks, `${…}`, a comment, after a here-document), it says so rather than
 * guess: a wrong guess would let a value out of its quotes.
 */
export class ShellScanner {
  readonly #stack: Frame[] = [];
  /** Open `(` inside each `command`/`arith` frame, innermost last. */
  readonly #depths: number[] = [];
  /** The last chunk ended with a backslash, which would escape the value's first character. */
  #escaped = false;
  /** The last chunk ended with a `$`, which would join the value into an expansion. */
  #dollar = false;
  #wordStart = true;
  #comment = false;
  /** A problem for every later expression (after a here-document, or an ambiguous `${…}`). */
  #sticky: string | undefined;

  /** Scans a literal chunk of the line. */
  feed(text: string): void {
    this.#escaped = false;
    this.#dollar = false;
    for (let at = 0; at < text.length; at += 1) {
      at = this.#step(text, at);
    }
  }

  /** Where an expression at the current point sits. */
  slot(): ShellSlot {
    const problem = this.#problem();
    if (problem !== undefined) return { problem };
    const top = this.#stack.at(-1);
    return { position: top === 'single' ? 'single' : top === 'double' ? 'double' : 'bare' };
  }

  /** Records that a value was written: the word it is part of has started. */
  afterValue(): void {
    this.#wordStart = false;
    this.#escaped = false;
    this.#dollar = false;
  }

  #problem(): string | undefined {
    if (this.#sticky !== undefined) return this.#sticky;
    if (this.#escaped) return 'right after a backslash (which would escape part of the value)';
    if (this.#dollar) return "right after a '$' (write {{ … }}, not ${{ … }})";
    if (this.#comment) return 'after an unquoted # (in a comment)';
    for (let index = this.#stack.length - 1; index >= 0; index -= 1) {
      const where = OPAQUE[this.#stack[index]!];
      if (where !== undefined) return where;
    }
    return undefined;
  }

  /** Handles the character at `at`; returns the offset of the last character it consumed. */
  #step(text: string, at: number): number {
    const c = text[at]!;
    const last = at === text.length - 1;
    const frame = this.#stack.at(-1);
    switch (frame) {
      case 'single':
        if (c === "'") this.#stack.pop();
        return at;
      case 'ansi':
      case 'backtick':
        if (c === '\\') return this.#backslash(at, last);
        if (c === (frame === 'ansi' ? "'" : '`')) this.#stack.pop();
        return at;
      case 'arith':
        return this.#arith(text, at);
      case 'double':
        if (c === '\\') return this.#backslash(at, last);
        if (c === '"') this.#stack.pop();
        else if (c === '`') this.#stack.push('backtick');
        else if (c === '$') return this.#dollarSign(text, at);
        return at;
      default:
        return this.#unquoted(text, at, frame);
    }
  }

  /** Outside quotes: at the top level, inside `$(…)` or inside `${…}`. */
  #unquoted(text: string, at: number, frame: 'command' | 'param' | undefined): number {
    const c = text[at]!;
    if (this.#comment) {
      if (c === '\n') {
        this.#comment = false;
        this.#wordStart = true;
      }
      return at;
    }
    const wordStart = this.#wordStart;
    this.#wordStart = WORD_BREAK.test(c);
    if (c === '\\') return this.#backslash(at, at === text.length - 1);
    if (c === "'" || c === '"' || c === '`') {
      // Quotes inside a `${…}` that is itself inside "…" are read differently by different shells.
      if (frame === 'param' && this.#stack.at(-2) === 'double') {
        this.#sticky = 'after a ${…} holding quotes inside "…"';
      }
      this.#stack.push(c === "'" ? 'single' : c === '"' ? 'double' : 'backtick');
      return at;
    }
    if (c === '$') return this.#dollarSign(text, at);
    if (frame === 'param') {
      if (c === '}') this.#stack.pop();
      return at;
    }
    if (c === '#' && wordStart) {
      this.#comment = true;
    } else if (frame === 'command' && wordStart && /^case\s/.test(text.slice(at, at + 5))) {
      // A case pattern's `)` would end the `$(…)` early in this count, so nothing after it is trusted.
      this.#sticky = 'after a case … esac inside $(…)';
    } else if (c === '<' && text[at + 1] === '<') {
      this.#sticky = 'after a << here-document';
      return at + 1;
    } else if (frame === 'command' && c === '(') {
      this.#depths[this.#depths.length - 1]! += 1;
    } else if (frame === 'command' && c === ')') {
      if (this.#depths.at(-1) === 0) {
        this.#pop();
        // `$(…)` is part of a word: `$(date)#x` holds no comment.
        this.#wordStart = false;
      } else {
        this.#depths[this.#depths.length - 1]! -= 1;
      }
    }
    return at;
  }

  /** A `$`: the start of `$(…)`, `$((…))`, `${…}`, `$'…'`, or a plain expansion such as `$HOME`. */
  #dollarSign(text: string, at: number): number {
    const next = text[at + 1];
    if (next === undefined) {
      this.#dollar = true;
      return at;
    }
    if (next === '(' && text[at + 2] === '(') {
      this.#push('arith');
      return at + 2;
    }
    if (next === '(') {
      this.#push('command');
      return at + 1;
    }
    if (next === '{') {
      this.#stack.push('param');
      return at + 1;
    }
    // `$'…'` is bash's; inside "…" a `$'` is a plain `$` and a quote.
    if (next === "'" && this.#stack.at(-1) !== 'double') {
      this.#stack.push('ansi');
      return at + 1;
    }
    return at;
  }

  /** Inside `$((…))`: only parentheses matter, to find its end. */
  #arith(text: string, at: number): number {
    const c = text[at];
    if (c === '(') this.#depths[this.#depths.length - 1]! += 1;
    if (c !== ')') return at;
    if (this.#depths.at(-1)! > 0) {
      this.#depths[this.#depths.length - 1]! -= 1;
      return at;
    }
    this.#pop();
    return text[at + 1] === ')' ? at + 1 : at;
  }

  /** A backslash escapes the next character; at the end of a chunk, it would escape the value. */
  #backslash(at: number, last: boolean): number {
    if (last) this.#escaped = true;
    return at + 1;
  }

  #push(frame: 'command' | 'arith'): void {
    this.#stack.push(frame);
    this.#depths.push(0);
    // The first word of the command inside starts here.
    this.#wordStart = true;
  }

  #pop(): void {
    this.#stack.pop();
    this.#depths.pop();
  }
}

/** The message for an expression the scanner cannot place. */
export function shellProblemMessage(where: string): string {
  return (
    `a {{ … }} substituted into a shell line ${where} cannot be quoted safely; ` +
    'pass the value as an argv list (run: [...]) or through env: instead'
  );
}
