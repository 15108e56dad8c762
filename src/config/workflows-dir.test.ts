import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from './load-config.js';

/** A folder of its own for the test, removed when it finishes. */
function temporaryFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-workflows-dir-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('server.workflows_dir', () => {
  it('is none by default, and relative to the configuration file’s folder when set', () => {
    const dir = temporaryFolder();
    expect(loadConfig({ cwd: dir, env: {} }).server.workflows_dir).toBeUndefined();
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'flotilla.yaml'), 'server:\n  workflows_dir: flows\n');
    const config = loadConfig({ cwd: dir, env: {}, configFile: 'conf/flotilla.yaml' });
    expect(config.server.workflows_dir).toBe(join(dir, 'conf', 'flows'));
  });

  it('must be a non-empty path', () => {
    const dir = temporaryFolder();
    writeFileSync(join(dir, 'flotilla.config.yaml'), 'server:\n  workflows_dir: ""\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(
      'flotilla.config.yaml:2:18: server.workflows_dir: expected a non-empty string, got ""',
    );
  });
});
