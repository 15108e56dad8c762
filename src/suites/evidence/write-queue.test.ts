import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialQueue, writeFileAtomic } from './write-queue.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-queue-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SerialQueue', () => {
  it('runs tasks one at a time in order; a failure does not stop the next, and drain reports the first', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    let running = 0;
    const task =
      (name: string, ms: number, fail = false) =>
      async (): Promise<string> => {
        running += 1;
        expect(running).toBe(1);
        events.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        events.push(`end ${name}`);
        running -= 1;
        if (fail) throw new Error(`${name} failed`);
        return name;
      };
    const a = queue.run(task('a', 20));
    const b = queue.run(task('b', 1, true));
    void queue.run(task('c', 5, true));
    const d = queue.run(task('d', 1));
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b failed');
    await expect(d).resolves.toBe('d');
    await expect(queue.drain()).rejects.toThrow('b failed');
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c', 'start d', 'end d']);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file through a temporary one that does not stay', async () => {
    const path = join(dir, 'manifest.json');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['manifest.json']);
  });

  it('leaves the target as it was, and no temporary file, when the rename fails', async () => {
    // A non-empty folder cannot be renamed over: the write of the new text succeeds, the rename fails.
    const path = join(dir, 'summary.md');
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), 'kept');
    await expect(writeFileAtomic(path, 'text')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['summary.md']);
    expect(readFileSync(join(path, 'keep'), 'utf8')).toBe('kept');
  });
});
