/** The longest run of backticks in `text`. */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const match of text.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  return longest;
}

/**
 * `text` as an inline code span on one line: line breaks become spaces and the fence is longer than any
 * backtick run inside. In a table cell (`inTable`), `|` is escaped, which GitHub's tables read even in
 * code; elsewhere a backslash would show.
 */
export function inlineCode(text: string, inTable = false): string {
  const oneLine = text.replace(/\r?\n|\r/g, ' ');
  const line = inTable ? oneLine.replace(/\|/g, '\\|') : oneLine;
  const fence = '`'.repeat(longestBacktickRun(line) + 1);
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** `text` as a fenced code block, its fence longer than any backtick run inside. */
export function codeBlock(text: string): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return `${fence}text\n${text.replace(/\s+$/, '')}\n${fence}`;
}

/** `text` safe in a table cell and as plain Markdown text: one line, Markdown's special characters escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`);
}

/** A Markdown table: a header row, an alignment row (`r` for right-aligned columns), then the rows. */
export function table(
  headers: readonly string[],
  align: string,
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const rule = headers.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [line(headers), line(rule), ...rows.map(line)].join('\n');
}

/** A duration for people: `850 ms`, `12.3 s`, `4 min 05 s`. */
export function humanDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const total = Math.round(ms / 1_000);
  return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
}
