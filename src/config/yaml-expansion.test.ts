import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWorkflow, WorkflowError } from '../workflow/index.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { expansionLimitBytes, MIN_EXPANSION_LIMIT_BYTES } from './yaml-text.js';

/**
 * A flow list of a 50 KB string (`&a`) and 89 aliases of it (under the 100 YAML's own limit allows): 50 KB
 * of text that stands for 4.5 MB of data, in a place where a list is valid.
 */
const AMPLIFIED = `[&a "${'x'.repeat(50 * 1024)}", ${Array.from({ length: 89 }, () => '*a').join(', ')}]`;

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-yaml-expansion-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the expansion limit of YAML documents', () => {
  it('is 4 MiB, or ten times the text when that is more', () => {
    expect(expansionLimitBytes(0)).toBe(MIN_EXPANSION_LIMIT_BYTES);
    expect(expansionLimitBytes(100 * 1024)).toBe(MIN_EXPANSION_LIMIT_BYTES);
    expect(expansionLimitBytes(1024 * 1024)).toBe(10 * 1024 * 1024);
  });

  it('refuses a workflow whose aliases copy a large value, naming the file', () => {
    const text = `schema_version: 1
workflow: { id: boom }
inputs:
  big: { type: array, default: ${AMPLIFIED} }
steps:
  - { id: s, type: gate }
`;
    expect(Buffer.byteLength(text)).toBeLessThan(60 * 1024);
    let error: unknown;
    try {
      parseWorkflow(text, { file: 'boom.yml' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(WorkflowError);
    expect(error).toMatchObject({
      code: 'E_WORKFLOW_INVALID',
      message: expect.stringMatching(
        /^boom\.yml: its aliases \(\*name\) expand it to more than 4 MiB/,
      ) as unknown,
    });
    // The message says what is wrong, never what the value was.
    expect((error as Error).message).not.toContain('xxxx');
  });

  it('refuses an alias inside the value it names (data without end)', () => {
    const text = `schema_version: 1
workflow: { id: loop }
inputs:
  l: { type: array, default: &x [1, *x] }
steps:
  - { id: s, type: gate }
`;
    expect(() => parseWorkflow(text, { file: 'loop.yml' })).toThrow(
      /^loop\.yml: an alias \(\*name\) is inside the value it names/,
    );
  });

  it('keeps aliases that reuse blocks within the limit', () => {
    const text = `schema_version: 1
workflow: { id: reuse }
steps:
  - &say { id: a, type: shell, run: [echo, "${'y'.repeat(1000)}"] }
  - { id: b, type: shell, run: [echo, b] }
`;
    expect(parseWorkflow(text).steps).toHaveLength(2);
  });

  it('bounds configuration files the same way', () => {
    writeFileSync(join(dir, 'flotilla.config.yaml'), `agents:\n  big: { command: ${AMPLIFIED} }\n`);
    let error: unknown;
    try {
      loadConfig({ cwd: dir, env: {} });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^flotilla\.config\.yaml: its aliases \(\*name\) expand it to more than 4 MiB/,
    );
  });
});
