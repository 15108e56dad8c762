import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import { CHROMIUM_PATHS, findChromium, NoBrowserError } from './index.js';

const folder = mkdtempSync(join(tmpdir(), 'flotilla-find-chromium-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, mode: number): string {
  const path = join(folder, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, mode);
  return path;
}

function thrown(run: () => unknown): NoBrowserError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(NoBrowserError);
    return error as NoBrowserError;
  }
  throw new Error('expected findChromium to throw');
}

describe('findChromium', () => {
  it('takes FLOTILLA_CHROMIUM first when it names an executable file', () => {
    const chosen = file('my-chrome', 0o755);
    expect(findChromium({ FLOTILLA_CHROMIUM: chosen, PATH: '' })).toBe(chosen);
  });

  it('refuses a FLOTILLA_CHROMIUM that is missing, not executable, a folder or relative, naming the variable', () => {
    const notExecutable = file('not-executable', 0o644);
    for (const value of [join(folder, 'missing'), notExecutable, folder, 'chromium']) {
      const error = thrown(() => findChromium({ FLOTILLA_CHROMIUM: value, PATH: '/usr/bin' }));
      expect(hasCode(error, 'E_NO_BROWSER')).toBe(true);
      expect(error.message).toContain('FLOTILLA_CHROMIUM=');
      expect(error.message).toContain(JSON.stringify(value));
    }
  });

  it('takes the first executable of the usual places, in order', () => {
    const second = file('second', 0o755);
    const third = file('third', 0o755);
    expect(findChromium({ PATH: '' }, [join(folder, 'missing'), second, third])).toBe(second);
  });

  it('looks for chromium, then google-chrome, on PATH when the usual places have none', () => {
    const bin = join(folder, 'bin');
    const other = join(folder, 'other');
    mkdirSync(bin);
    mkdirSync(other);
    const chrome = file('bin/google-chrome', 0o755);
    file('bin/chromium', 0o644); // not executable: skipped
    const chromium = file('other/chromium', 0o755);
    expect(findChromium({ PATH: `relative:${bin}:${other}` }, [])).toBe(chromium);
    rmSync(chromium);
    expect(findChromium({ PATH: `${bin}:${other}` }, [])).toBe(chrome);
  });

  it('says what it looked for and how to install Chromium when there is none', () => {
    const error = thrown(() =>
      findChromium(
        { PATH: join(folder, 'nowhere') },
        CHROMIUM_PATHS.map((p) => `${folder}${p}`),
      ),
    );
    expect(error.code).toBe('E_NO_BROWSER');
    expect(error.message).toContain('sudo apt-get install -y chromium');
    expect(error.message).toContain('FLOTILLA_CHROMIUM');
    expect(error.message).toContain('chromium on PATH');
    expect(error.message).toContain('google-chrome on PATH');
    expect(error.searched).toHaveLength(CHROMIUM_PATHS.length + 2);
  });

  it('finds the Chromium of this machine', () => {
    expect(findChromium({ PATH: process.env.PATH })).toMatch(/^\//);
  });
});
