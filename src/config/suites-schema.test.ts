import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-suites-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function load(lines: string[]) {
  writeFileSync(join(dir, 'flotilla.config.yaml'), lines.join('\n') + '\n');
  return loadConfig({ cwd: dir, env: {} });
}

function failure(lines: string[]): ConfigError {
  try {
    load(lines);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('suites: in flotilla.config.yaml', () => {
  it('reads the suites in their declared order, cwd made absolute, settings defaulted', () => {
    mkdirSync(join(dir, 'web'));
    const config = load([
      'suites:',
      '  max_workers: 2',
      '  run:',
      '    zeta: { command: [npm, run, build] }',
      '    unit:',
      '      command: [npx, vitest, run, --reporter=junit, "--outputFile={out}/junit.xml"]',
      '      report: { format: junit, path: "{out}/junit.xml" }',
      '      depends_on: [zeta]',
      '      retries: 2',
      '      timeout_s: 600',
      '    e2e: { command: [npx, playwright, test], cwd: web, env: { CI: "1" }, enabled: false }',
    ]);
    expect(Object.keys(config.suites.run)).toEqual(['zeta', 'unit', 'e2e']);
    expect(config.suites).toMatchObject({ parallel: true, max_workers: 2, retries: 0, fail_fast: false });
    expect(config.suites.run['unit']).toMatchObject({
      cwd: dir,
      report: { format: 'junit', path: '{out}/junit.xml' },
      depends_on: ['zeta'],
      retries: 2,
      timeout_s: 600,
      enabled: true,
    });
    expect(config.suites.run['e2e']).toMatchObject({
      cwd: join(dir, 'web'),
      env: { CI: '1' },
      enabled: false,
    });
  });

  it('names the line of an unknown dependency, and a cycle', () => {
    const error = failure([
      'suites:',
      '  run:',
      '    a: { command: [x], depends_on: [b] }',
      '    b: { command: [x], depends_on: [a, nope] }',
      '    c: { command: [x] }',
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('flotilla.config.yaml: 2 problems');
    expect(lines.slice(1).sort()).toEqual(
      [
        '  flotilla.config.yaml:3:37: suites.run.a.depends_on[0]: expected a suite that does not lead back to "a" (a dependency cycle: a → b → a), got "b"',
        '  flotilla.config.yaml:4:40: suites.run.b.depends_on[1]: expected the name of another suite (one of: a, c), got "nope"',
      ].sort(),
    );
  });

  it('names a suite name that does not start with a letter', () => {
    const error = failure(['suites:', '  run:', '    "1st": { command: [x] }']);
    expect(error.message).toBe(
      'flotilla.config.yaml:3:5: suites.run.1st: expected a suite name: a letter, then letters, digits, "_", "." or "-", got "1st"',
    );
  });

  it('names a report format it does not know', () => {
    const error = failure([
      'suites:',
      '  run:',
      '    c: { command: [x], report: { format: xml, path: r.xml } }',
    ]);
    expect(error.message).toBe(
      'flotilla.config.yaml:3:42: suites.run.c.report.format: expected one of: junit, ctrf, vitest-json, playwright-json, jest-json, got "xml"',
    );
  });
});
