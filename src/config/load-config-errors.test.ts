import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../core/index.js';
import { ConfigError, loadConfig, type LoadConfigOptions } from './index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `./flotilla.config.yaml` from lines, loads it, and returns the `ConfigError` it must throw. */
function failure(lines: string[] | null, options: Partial<LoadConfigOptions> = {}): ConfigError {
  if (lines !== null) writeFileSync(join(dir, 'flotilla.config.yaml'), lines.join('\n') + '\n');
  try {
    loadConfig({ cwd: dir, env: {}, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(FlotillaError);
    expect((error as ConfigError).code).toBe('E_CONFIG');
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

const FILE = () => join(dir, 'flotilla.config.yaml');

describe('loadConfig: errors in the file name the file, line, column and key path', () => {
  it('an unknown top-level key', () => {
    const error = failure([
      '# Flotilla',
      'server: { port: 80 }',
      'agnets:',
      '  claude: { command: [claude] }',
    ]);
    expect(error.message).toBe(
      'flotilla.config.yaml:3:1: agnets: unknown key (expected one of: home, agents, repos, server, qa, suites)',
    );
    expect(error).toMatchObject({ file: FILE(), line: 3, column: 1, path: 'agnets' });
  });

  it('an unknown nested key, and the required key it replaced', () => {
    const error = failure(['agents:', '  claude:', '    comand: [claude, -p]', '    timeout_s: 60']);
    expect(error.message.split('\n')).toEqual([
      'flotilla.config.yaml: 2 problems',
      '  flotilla.config.yaml:2:3: agents.claude.command: missing, expected a non-empty list of strings (an argv)',
      '  flotilla.config.yaml:3:5: agents.claude.comand: unknown key (expected one of: type, command, env, output, stdin, idle_timeout_s, timeout_s, concurrency, retry, description, env_allow)',
    ]);
    expect(error.issues.map(({ path, line }) => ({ path, line }))).toEqual([
      { path: 'agents.claude.command', line: 2 },
      { path: 'agents.claude.comand', line: 3 },
    ]);
    expect(error).toMatchObject({ file: FILE(), line: 2, column: 3, path: 'agents.claude.command' });
  });

  it('a wrong type, at the value', () => {
    const error = failure([
      'agents:',
      '  echo:',
      '    command: [echo]',
      '',
      '# the server',
      'server:',
      '  concurrency: ten',
    ]);
    expect(error.message).toBe(
      'flotilla.config.yaml:7:16: server.concurrency: expected an integer ≥ 1, got "ten"',
    );
    expect(error).toMatchObject({ line: 7, column: 16, path: 'server.concurrency' });
  });

  it.each([
    [
      ['agents:', '  a:', '    command: claude -p'],
      3,
      'agents.a.command: expected a non-empty list of strings (an argv), got "claude -p"',
    ],
    [
      ['agents:', '  a:', '    command: []'],
      3,
      'agents.a.command: expected a non-empty list of strings (an argv), got an empty list',
    ],
    [['agents:', '  a: { command: [x, 1] }'], 2, 'agents.a.command[1]: expected a string, got 1'],
    [
      ['agents:', '  a: { command: [x], stdin: yes }'],
      2,
      'agents.a.stdin: expected true or false, got "yes"',
    ],
    [
      ['agents:', '  a: { command: [x], output: json }'],
      2,
      'agents.a.output: expected one of: text, claude-stream-json, codex-json, got "json"',
    ],
    [
      ['agents:', '  a: { command: [x], env_allow: [MYAPP_*, "*"] }'],
      2,
      'agents.a.env_allow[1]: expected a variable name or a prefix followed by * (MYAPP_*), got "*"',
    ],
    [
      ['agents:', '  a: { type: openai, model: m, base_url: ftp://x }'],
      2,
      'agents.a.base_url: expected an http(s) URL, got "ftp://x"',
    ],
    [
      ['agents:', '  a: { type: acp, command: [x] }'],
      2,
      'agents.a.type: expected "cli" or "openai", got "acp"',
    ],
    [['agents:', '  a:'], 2, 'agents.a: expected a mapping, got an empty value'],
    [['agents: [a, b]'], 1, 'agents: expected a mapping of agent names to profiles, got a list'],
    [['repos:', '  app: { setup: [npm, ci] }'], 2, 'repos.app.path: missing, expected a non-empty string'],
    [['server:', '  port: 70000'], 2, 'server.port: expected an integer from 0 to 65535, got 70000'],
    [['server:', '  port: -1'], 2, 'server.port: expected an integer from 0 to 65535, got -1'],
    [['server:', '  port: 80.5'], 2, 'server.port: expected an integer from 0 to 65535, got 80.5'],
    [['server:', '  concurrency: 0'], 2, 'server.concurrency: expected an integer ≥ 1, got 0'],
    [['server:', '  max_queue: -1'], 2, 'server.max_queue: expected an integer ≥ 0, got -1'],
    [['server:', '  job_ttl_s: 0'], 2, 'server.job_ttl_s: expected a number of seconds > 0, got 0'],
    [
      ['qa: { workers: 2, rate_limit: fast }'],
      1,
      'qa.rate_limit: expected a number of requests per second ≥ 0 (0: no limit), got "fast"',
    ],
    [['home: ""'], 1, 'home: expected a non-empty path, got ""'],
  ])('%j → line %i: %s', (lines, line, expected) => {
    const error = failure(lines);
    expect(error.message).toMatch(new RegExp(`^flotilla\\.config\\.yaml:${line}:\\d+: `));
    expect(error.message.replace(/^[^ ]+ /, '')).toBe(expected);
    expect(error.line).toBe(line);
    expect(error.path).toBe(expected.split(':')[0]);
  });

  it('an idle timeout that is not a number of seconds > 0, or on an OpenAI-compatible agent', () => {
    expect(failure(['agents:', '  a: { command: [x], idle_timeout_s: 0 }']).message).toBe(
      'flotilla.config.yaml:2:38: agents.a.idle_timeout_s: expected a number of seconds > 0, got 0',
    );
    const openai = failure([
      'agents:',
      '  a: { type: openai, model: m, base_url: http://x, idle_timeout_s: 60 }',
    ]);
    expect(openai.message).toMatch(/^flotilla\.config\.yaml:2:\d+: agents\.a\.idle_timeout_s: unknown key/);
  });

  it('every problem, in file order, one a line after a summary', () => {
    const error = failure(['qa: { workers: 0 }', 'server:', '  port: http', '  concurrency: 0', 'extra: 1']);
    expect(error.message.split('\n')).toEqual([
      'flotilla.config.yaml: 4 problems',
      '  flotilla.config.yaml:1:16: qa.workers: expected an integer ≥ 1, got 0',
      '  flotilla.config.yaml:3:9: server.port: expected an integer from 0 to 65535, got "http"',
      '  flotilla.config.yaml:4:16: server.concurrency: expected an integer ≥ 1, got 0',
      '  flotilla.config.yaml:5:1: extra: unknown key (expected one of: home, agents, repos, server, qa, suites)',
    ]);
    expect(error.issues).toHaveLength(4);
    expect(error).toMatchObject({ line: 1, column: 16, path: 'qa.workers' });
  });

  it('a file that is not a mapping', () => {
    expect(failure(['- a', '- b']).message).toBe('flotilla.config.yaml:1:1: expected a mapping, got a list');
  });

  it('a YAML syntax error', () => {
    const error = failure(['server:', '  port: 80', 'qa: { workers: 2', 'agents: {}']);
    expect(error.message).toMatch(/^flotilla\.config\.yaml:\d+:\d+: invalid YAML: /);
    expect(error.message).not.toContain('flotilla.config.yaml:1:');
    expect(error.file).toBe(FILE());
    expect(error.line).toBeGreaterThanOrEqual(3);
  });

  it('an unquoted ${…} in a flow mapping, with a hint', () => {
    const error = failure(['server:', '  port: 80', 'qa: { rate_limit: ${RATE} }']);
    expect(error.line).toBe(3);
    expect(error.message).toContain('(inside { } or [ ], quote "${…}" values)');
  });

  it('a duplicate key', () => {
    const error = failure(['server:', '  port: 80', '  port: 81']);
    expect(error.message).toBe('flotilla.config.yaml:3:3: invalid YAML: Map keys must be unique');
  });

  it('a bad ${…}', () => {
    const error = failure(['server:', '  token: "${TOKEN"']);
    expect(error.message).toBe(
      'flotilla.config.yaml:2:10: server.token: unterminated "${" in "${TOKEN" (write "$$" for a literal "$")',
    );
    expect(error).toMatchObject({ line: 2, column: 10, path: 'server.token' });
  });

  it('names a file outside cwd by its absolute path', () => {
    const other = mkdtempSync(join(tmpdir(), 'flotilla-config-other-'));
    try {
      writeFileSync(join(other, 'f.yaml'), 'server:\n  port: x\n');
      const error = failure(null, { configFile: join(other, 'f.yaml') });
      expect(error.message).toBe(
        `${join(other, 'f.yaml')}:2:9: server.port: expected an integer from 0 to 65535, got "x"`,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('loadConfig: errors outside the file', () => {
  it('a configuration file that was named but does not exist', () => {
    const error = failure(null, { configFile: 'missing.yaml' });
    expect(error.message).toBe('missing.yaml: configuration file not found');
    expect(error.file).toBe(join(dir, 'missing.yaml'));
  });

  it('a configuration file that is a folder', () => {
    expect(failure(null, { configFile: '.' }).message).toBe(`${dir}: is a folder, not a configuration file`);
  });

  it('a bad number in an environment variable', () => {
    const error = failure(null, { env: { FLOTILLA_PORT: 'eighty' } });
    expect(error.message).toBe(
      'FLOTILLA_PORT: server.port: expected an integer from 0 to 65535, got "eighty"',
    );
    expect(error).toMatchObject({ source: 'FLOTILLA_PORT', path: 'server.port', file: undefined });
  });

  it('every bad variable and flag at once, even one a flag overrides', () => {
    const env = { FLOTILLA_CONCURRENCY: '0', FLOTILLA_MAX_QUEUE: '1.5' };
    const error = failure(null, { env, flags: { concurrency: 'many', port: 99999, home: '' } });
    expect(error.message.split('\n')).toEqual([
      'the environment and flags: 5 problems',
      '  --port: server.port: expected an integer from 0 to 65535, got 99999',
      '  FLOTILLA_CONCURRENCY: server.concurrency: expected an integer ≥ 1, got "0"',
      '  --concurrency: server.concurrency: expected an integer ≥ 1, got "many"',
      '  FLOTILLA_MAX_QUEUE: server.max_queue: expected an integer ≥ 0, got "1.5"',
      '  --home: home: expected a non-empty path, got ""',
    ]);
    expect(error.issues.map((issue) => issue.source)).toEqual([
      '--port',
      'FLOTILLA_CONCURRENCY',
      '--concurrency',
      'FLOTILLA_MAX_QUEUE',
      '--home',
    ]);
  });

  it('reports the file before the environment', () => {
    const error = failure(['server: { port: x }'], { env: { FLOTILLA_PORT: 'y' } });
    expect(error.message).toBe(
      'flotilla.config.yaml:1:17: server.port: expected an integer from 0 to 65535, got "x"',
    );
  });
});
