import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-workflows-dir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('server.workflows_dir', () => {
  it('is none by default, and relative to the configuration file’s folder when set', () => {
    expect(loadConfig({ cwd: dir, env: {} }).server.workflows_dir).toBeUndefined();
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'flotilla.yaml'), 'server:\n  workflows_dir: flows\n');
    const config = loadConfig({ cwd: dir, env: {}, configFile: 'conf/flotilla.yaml' });
    expect(config.server.workflows_dir).toBe(join(dir, 'conf', 'flows'));
  });

  it('must be a non-empty path', () => {
    writeFileSync(join(dir, 'flotilla.config.yaml'), 'server:\n  workflows_dir: ""\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(
      'flotilla.config.yaml:2:18: server.workflows_dir: expected a non-empty string, got ""',
    );
  });
});
