import { LineCounter, parseDocument, type Document } from 'yaml';
import type { SourcePosition } from './yaml-locations.js';

/** How many aliases (`*name`) a file may expand, against "billion laughs" files. */
const MAX_ALIAS_COUNT = 100;

/** A YAML file's text as parsed: the document, and where an offset of the text is. */
export interface YamlText {
  readonly document: Document;
  readonly lineCounter: LineCounter;
  /** The 1-based line and column of an offset of the text. */
  readonly position: (offset: number) => SourcePosition;
  /** Each syntax error: its position and the first line of what the parser said. */
  readonly syntaxErrors: readonly (SourcePosition & { readonly reason: string })[];
}

/**
 * Parses YAML text, keeping line numbers for messages: the config file and workflow files both read
 * their text here (then turn `syntaxErrors` into their own issues).
 */
export function parseYamlText(text: string): YamlText {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxErrors = document.errors.map((error) => ({
    ...position(error.pos[0]),
    reason: error.message.split('\n', 1)[0] ?? error.message,
  }));
  return { document, lineCounter, position, syntaxErrors };
}

/** The most data any document may expand to through its aliases, whatever its size (4 MiB). */
export const MIN_EXPANSION_LIMIT_BYTES = 4 * 1024 * 1024;

/** How many times its own size a document may expand to, when that is more than 4 MiB. */
export const EXPANSION_FACTOR = 10;

/**
 * The most data (measured as its JSON) a document of `textBytes` may stand for: 4 MiB, or 10 times the
 * text when that is more. Without aliases data is never much larger than its text (JSON adds quotes and
 * commas to flow YAML at most), so the bound only ever meets documents whose aliases copy large values:
 * each of the 100 aliases `MAX_ALIAS_COUNT` allows may name a value as large as the whole text, and
 * everything downstream (validation, the stored run, its events) pays for the copies. The floor leaves a
 * small file room to reuse blocks freely; the factor keeps a 1 MiB request body (the server's default
 * limit) at 10 MiB of data, not the hundreds of megabytes 100 copies of it would make.
 */
export function expansionLimitBytes(textBytes: number): number {
  return Math.max(MIN_EXPANSION_LIMIT_BYTES, EXPANSION_FACTOR * textBytes);
}

/**
 * The document's data, with at most `MAX_ALIAS_COUNT` aliases expanded and at most
 * `expansionLimitBytes(textBytes)` of data in all (aliases share one value in memory, but whatever copies
 * or stores the data copies each of them).
 * @throws the error `fail` makes of `SUBJECT: what is wrong` when the document expands more, or holds an
 *   alias inside the value it names (data without end).
 */
export function yamlData(
  document: Document,
  subject: string,
  fail: (message: string, cause: unknown) => Error,
  textBytes: number,
): unknown {
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw fail(`${subject}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const limit = expansionLimitBytes(textBytes);
  const measured = measureExpansion(data, limit);
  if (measured === 'cyclic') {
    throw fail(`${subject}: an alias (*name) is inside the value it names, which never ends`, undefined);
  }
  if (measured === 'too large') {
    throw fail(
      `${subject}: its aliases (*name) expand it to more than ${mebibytes(limit)} MiB of data ` +
        `(a document may stand for ${EXPANSION_FACTOR} times its size, or 4 MiB)`,
      undefined,
    );
  }
  return data;
}

/** `bytes` in MiB as a message shows them: `4`, `9.5`. */
function mebibytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
}

/**
 * Whether `data` written as JSON would fit in `limit` bytes, each alias counted as the copy it becomes;
 * stops as soon as it is over, so a document that expands hugely costs no more than `limit` to measure.
 * Walks with its own stack: an alias's value may be nested deeper than the call stack allows.
 */
function measureExpansion(data: unknown, limit: number): 'fits' | 'too large' | 'cyclic' {
  let bytes = 0;
  const open = new Set<object>();
  const frames: { container: object; values: readonly unknown[]; next: number }[] = [];
  const enter = (value: unknown): 'fits' | 'too large' | 'cyclic' => {
    if (typeof value === 'string') bytes += Buffer.byteLength(value, 'utf8') + 2;
    else if (value !== null && typeof value === 'object') {
      if (open.has(value)) return 'cyclic';
      const values: readonly unknown[] = Array.isArray(value) ? value : Object.values(value);
      // Brackets and commas; a mapping's keys with their quotes and colons.
      bytes += 2 + Math.max(values.length - 1, 0);
      if (!Array.isArray(value)) {
        for (const key of Object.keys(value)) bytes += Buffer.byteLength(key, 'utf8') + 3;
      }
      open.add(value);
      frames.push({ container: value, values, next: 0 });
    } else bytes += String(value).length;
    return bytes > limit ? 'too large' : 'fits';
  };
  let state = enter(data);
  while (state === 'fits' && frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    if (frame.next < frame.values.length) {
      state = enter(frame.values[frame.next++]);
    } else {
      open.delete(frame.container);
      frames.pop();
    }
  }
  return state;
}

/**
 * Why a file could not be read, for a message naming it: `workflow file not found`, `is a folder, not a
 * workflow file`, `cannot read the workflow file (EACCES)`; `noun` is what the file is.
 */
export function unreadableFileReason(error: unknown, noun: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${noun} not found`;
  if (code === 'EISDIR') return `is a folder, not a ${noun}`;
  return `cannot read the ${noun} (${code ?? String(error)})`;
}
