import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStorageState } from './context-settings.js';

const never = new AbortController().signal;
const dir = mkdtempSync(join(tmpdir(), 'flotilla-storage-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadStorageState', () => {
  it('reads a state file once, with empty lists for what it leaves out', async () => {
    const path = file('state.json', '{"cookies":[{"name":"sid","value":"s3cret"}]}');
    await expect(loadStorageState(path, never)).resolves.toEqual({
      cookies: [{ name: 'sid', value: 's3cret' }],
      origins: [],
    });
  });

  it('names the file and never quotes its content', async () => {
    const cases = [
      [file('broken.json', '{"cookies": s3cret-token}'), 'is not JSON'],
      [file('list.json', '["s3cret-token"]'), 'is not a JSON object'],
      [file('shape.json', '{"cookies": "s3cret-token"}'), '`cookies` and `origins` must be lists'],
      [join(dir, 'missing.json'), 'Cannot read the storage state'],
    ] as const;
    for (const [path, says] of cases) {
      const error = await loadStorageState(path, never).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'E_INVALID_ARGUMENT' });
      const { message } = error as Error;
      expect(message).toContain(path);
      expect(message).toContain(says);
      expect(message).not.toContain('s3cret');
    }
  });
});
