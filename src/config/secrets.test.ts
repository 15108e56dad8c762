import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { expandEnv } from './expand-env.js';
import { loadConfig } from './load-config.js';
import { isSecretPath } from './secrets.js';

/** The message `loadConfig` throws for a `flotilla.config.yaml` of `text`. */
function configError(text: string, env: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-secrets-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'flotilla.config.yaml'), text);
  try {
    loadConfig({ cwd: dir, env });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to throw');
}

describe('secrets in configuration errors', () => {
  it('are server.token, an agent’s env values and its api_key_env', () => {
    expect(isSecretPath(['server', 'token'])).toBe(true);
    expect(isSecretPath(['agents', 'claude', 'env', 'ANTHROPIC_API_KEY'])).toBe(true);
    expect(isSecretPath(['agents', 'claude', 'env'])).toBe(true);
    expect(isSecretPath(['agents', 'local', 'api_key_env'])).toBe(true);
    expect(isSecretPath(['server', 'port'])).toBe(false);
    expect(isSecretPath(['agents', 'claude', 'command', 0])).toBe(false);
    expect(isSecretPath(['repos', 'env', 'env'])).toBe(false);
  });

  it('tell the kind of value found, never the value', () => {
    const message = configError(
      'server:\n  token: 12345\nagents:\n  a: { command: [x], env: { K: 67890, L: true } }\n',
    );
    expect(message).toContain('server.token: expected a string, got a number (not shown: a secret)');
    expect(message).toContain('agents.a.env.K: expected a string, got a number (not shown: a secret)');
    expect(message).toContain('agents.a.env.L: expected a string, got true or false (not shown: a secret)');
    for (const value of ['12345', '67890']) expect(message).not.toContain(value);
    // Other keys still show what was found.
    expect(configError('server:\n  port: eighty\n')).toContain('got "eighty"');
  });

  it('quote no more of a secret’s ${…} than the name in question', () => {
    const message = configError(
      'server:\n  token: "tok-4242-${OOPS"\nagents:\n  a: { command: [x], env: { K: "key-77${BAD-NAME:-fallback-99}" } }\n',
    );
    expect(message).toContain('server.token: unterminated "${" in "${OOPS"');
    expect(message).toContain(
      'agents.a.env.K: invalid variable name "BAD-NAME" (expected letters, digits and _)',
    );
    for (const value of ['tok-4242', 'key-77', 'fallback-99']) expect(message).not.toContain(value);
    expect(() => expandEnv('k-1${A:-d-2', {}, { secret: true })).toThrow('unterminated "${" in "${A:-…"');
  });
});
