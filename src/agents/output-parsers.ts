import type { AgentOutputFormat } from '../config/index.js';
import { BoundedText } from './bounded-text.js';
import { ClaudeStreamJsonParser } from './claude-stream-json.js';
import { CodexJsonParser } from './codex-json.js';
import type { OutputParser, ParsedOutput } from './types.js';

/**
 * The longest stdout line read whole for the JSON formats (8 MiB): a result event holds the whole answer
 * on one line, and a line cut in pieces would not parse. Plain text keeps the process runner's default.
 */
export const MAX_JSON_LINE_BYTES = 8 * 1024 * 1024;

/** `text`: the output is the standard output itself, its last `MAX_OUTPUT_BYTES`. */
export class TextParser implements OutputParser {
  readonly #text = new BoundedText();

  push(line: string): void {
    this.#text.push(line);
  }

  finish(): ParsedOutput {
    return { output: this.#text.toString() };
  }
}

/** A parser for the format (`text` when absent). */
export function createOutputParser(format: AgentOutputFormat | undefined): OutputParser {
  switch (format) {
    case 'claude-stream-json':
      return new ClaudeStreamJsonParser();
    case 'codex-json':
      return new CodexJsonParser();
    case 'text':
    case undefined:
      return new TextParser();
  }
}
