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

/**
 * The document's data, with at most `MAX_ALIAS_COUNT` aliases expanded.
 * @throws the error `fail` makes of `SUBJECT: what the parser said` when the document expands more.
 */
export function yamlData(
  document: Document,
  subject: string,
  fail: (message: string, cause: unknown) => Error,
): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw fail(`${subject}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
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
