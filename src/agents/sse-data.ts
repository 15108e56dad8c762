/**
 * The `data` of each server-sent event in a response body, in order: the `data:` lines of an event joined
 * with `\n`, one leading space removed from each. Comments (`: …`) and other fields are skipped. Lines end
 * with `\n` or `\r\n`; an event not ended by a blank line when the body ends is still given.
 */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line === 'data' || line.startsWith('data:')) {
          const value = line.slice(5);
          data.push(value.startsWith(' ') ? value.slice(1) : value);
        }
      }
      if (done) break;
    }
    if (buffer.startsWith('data:')) data.push(buffer.slice(5).trimStart());
    if (data.length > 0) yield data.join('\n');
  } finally {
    // Stops the download when the reader leaves early (a consumer's `break`, an error).
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
