/**
 * Reading the paths git prints. Its line output quotes a path with unusual characters in C style
 * (`"a\"b\nc"`, octal for other bytes), so one path is always one line; that is what `gitRaw` (line by
 * line) can carry exactly, where `-z` output would arrive as one long line cut into pieces.
 */

const ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  t: 0x09,
  n: 0x0a,
  v: 0x0b,
  f: 0x0c,
  r: 0x0d,
  '"': 0x22,
  '\\': 0x5c,
};

/** A path as git printed it on a line (`core.quotePath=false`), unquoted; plain paths come back as they are. */
export function unquotePath(printed: string): string {
  if (printed.length < 2 || !printed.startsWith('"') || !printed.endsWith('"')) return printed;
  const bytes: number[] = [];
  // By code points, so a character outside the BMP is not cut into halves.
  const body = [...printed.slice(1, -1)];
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index]!;
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = body[index + 1] ?? '';
    const octal = /^[0-7]{3}$/.exec(body.slice(index + 1, index + 4).join(''));
    if (octal !== null) {
      bytes.push(Number.parseInt(octal[0], 8));
      index += 3;
    } else if (next in ESCAPES) {
      bytes.push(ESCAPES[next]!);
      index += 1;
    } else {
      bytes.push(0x5c);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The NUL-separated fields of a file git wrote with `-z --output=…`, without the empty last one. */
export function nulFields(contents: string): string[] {
  const fields = contents.split('\0');
  if (fields.at(-1) === '') fields.pop();
  return fields;
}
