import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type ConfigOverrides, type ResolvedConfig } from './index.js';

/** A full example, every section with comments, as a user writes one. */
const FULL_EXAMPLE = `agents:                       # agent profiles; the job's \`agent\` field names one
  claude:
    command: [claude, -p, "{prompt}"]      # argv; {prompt} {job_id} {workspace} are substituted, never via a shell
    env: { ANTHROPIC_API_KEY: "\${ANTHROPIC_API_KEY}" }
    timeout_s: 1800
    concurrency: 4                         # per-agent cap under the server's global one (provider limits)
    retry: { on_exit: [75], on_output: ["rate limit", "429", "529"], attempts: 3, backoff_s: 30 }
    output: claude-stream-json             # lets the job record tokens and cost
  local:
    type: openai                           # an OpenAI-compatible endpoint instead of a CLI
    base_url: http://127.0.0.1:11434/v1
    model: qwen2.5-coder
repos:                        # what the server may check out; a job names one by key or by an allowed path
  app: { path: /srv/app, setup: [npm, ci], verify: [npm, test] }   # verify: a job succeeds only if this passes
server: { concurrency: 10, max_queue: 100, job_ttl_s: 86400, token: "\${FLOTILLA_TOKEN}" }
qa: { workers: 4, rate_limit: 3 }
`;

const DEFAULT_SERVER = {
  host: '127.0.0.1',
  port: 8787,
  concurrency: 10,
  max_queue: 100,
  job_ttl_s: 86_400,
  max_body_bytes: 1_048_576,
  allow_shell_steps: false,
};
const DEFAULT_QA = { workers: 4, rate_limit: 3, max_pages: 100, max_depth: 3, max_runs: 2 };
const DEFAULT_SUITES = { parallel: true, retries: 0, fail_fast: false, history_runs: 200, run: {} };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to `name` under the test's folder and returns its path. */
function write(name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('loadConfig: sources', () => {
  it('gives the defaults when there is no file, variable or flag', () => {
    const config = loadConfig({ cwd: dir, env: {} });
    expect(config).toEqual({
      home: join(dir, '.flotilla'),
      configFile: null,
      agents: {},
      repos: {},
      server: DEFAULT_SERVER,
      qa: DEFAULT_QA,
      suites: DEFAULT_SUITES,
    } satisfies ResolvedConfig);
    expect(config.server.token).toBeUndefined();
  });

  it('reads ./flotilla.config.yaml: a full example', () => {
    const file = write('flotilla.config.yaml', FULL_EXAMPLE);
    const config = loadConfig({ cwd: dir, env: { ANTHROPIC_API_KEY: 'sk-ant', FLOTILLA_TOKEN: 'tok' } });
    expect(config.configFile).toBe(file);
    expect(config.agents).toEqual({
      claude: {
        type: 'cli',
        command: ['claude', '-p', '{prompt}'],
        env: { ANTHROPIC_API_KEY: 'sk-ant' },
        timeout_s: 1800,
        concurrency: 4,
        retry: { on_exit: [75], on_output: ['rate limit', '429', '529'], attempts: 3, backoff_s: 30 },
        output: 'claude-stream-json',
      },
      local: { type: 'openai', base_url: 'http://127.0.0.1:11434/v1', model: 'qwen2.5-coder' },
    });
    expect(config.repos).toEqual({
      app: { path: '/srv/app', setup: ['npm', 'ci'], verify: ['npm', 'test'] },
    });
    expect(config.server).toEqual({ ...DEFAULT_SERVER, token: 'tok' });
    expect(config.qa).toEqual(DEFAULT_QA);
  });

  it('treats an empty file, and empty sections, as defaults', () => {
    write('flotilla.config.yaml', '# nothing yet\n');
    expect(loadConfig({ cwd: dir, env: {} })).toMatchObject({ server: DEFAULT_SERVER, agents: {} });
    write('flotilla.config.yaml', 'agents:\nrepos:\nserver:\nqa:\n');
    expect(loadConfig({ cwd: dir, env: {} })).toMatchObject({ server: DEFAULT_SERVER, qa: DEFAULT_QA });
  });

  it('reads the file named by configFile (relative to cwd) instead of the default one', () => {
    write('flotilla.config.yaml', 'server: { port: 1 }\n');
    const other = write('conf/other.yaml', 'server: { port: 2 }\nrepos: { app: { path: ../app } }\n');
    const config = loadConfig({ cwd: dir, env: {}, configFile: 'conf/other.yaml' });
    expect(config.configFile).toBe(other);
    expect(config.server.port).toBe(2);
    expect(config.repos.app?.path).toBe(join(dir, 'app'));
  });

  it('defaults an agent to type cli and an empty token to none', () => {
    write('flotilla.config.yaml', 'agents:\n  echo: { command: [echo] }\nserver:\n  token: "${UNSET}"\n');
    const config = loadConfig({ cwd: dir, env: {} });
    expect(config.agents.echo).toEqual({ type: 'cli', command: ['echo'] });
    expect(config.server.token).toBeUndefined();
  });

  it('reads the idle timeout of a CLI agent', () => {
    write('flotilla.config.yaml', 'agents:\n  quiet: { command: [x], idle_timeout_s: 600 }\n');
    expect(loadConfig({ cwd: dir, env: {} }).agents.quiet).toMatchObject({ idle_timeout_s: 600 });
  });
});

describe('loadConfig: precedence flag > environment > file > default', () => {
  const cases: {
    option: keyof ConfigOverrides;
    section: 'server' | 'qa';
    key: string;
    variable?: string;
    values: { file: string; env: string; flag: string | number };
    expected: { default: unknown; file: unknown; env: unknown; flag: unknown };
  }[] = [
    {
      option: 'host',
      section: 'server',
      key: 'host',
      variable: 'FLOTILLA_HOST',
      values: { file: 'file.local', env: 'env.local', flag: 'flag.local' },
      expected: { default: '127.0.0.1', file: 'file.local', env: 'env.local', flag: 'flag.local' },
    },
    {
      option: 'port',
      section: 'server',
      key: 'port',
      variable: 'FLOTILLA_PORT',
      values: { file: '9001', env: '9002', flag: '9003' },
      expected: { default: 8787, file: 9001, env: 9002, flag: 9003 },
    },
    {
      option: 'concurrency',
      section: 'server',
      key: 'concurrency',
      variable: 'FLOTILLA_CONCURRENCY',
      values: { file: '2', env: '3', flag: 4 },
      expected: { default: 10, file: 2, env: 3, flag: 4 },
    },
    {
      option: 'maxQueue',
      section: 'server',
      key: 'max_queue',
      variable: 'FLOTILLA_MAX_QUEUE',
      values: { file: '5', env: '0', flag: '7' },
      expected: { default: 100, file: 5, env: 0, flag: 7 },
    },
    {
      option: 'token',
      section: 'server',
      key: 'token',
      variable: 'FLOTILLA_TOKEN',
      values: { file: 'file-token', env: 'env-token', flag: 'flag-token' },
      expected: { default: undefined, file: 'file-token', env: 'env-token', flag: 'flag-token' },
    },
    {
      option: 'workers',
      section: 'qa',
      key: 'workers',
      values: { file: '2', env: '', flag: '8' },
      expected: { default: 4, file: 2, env: 2, flag: 8 },
    },
    {
      option: 'rateLimit',
      section: 'qa',
      key: 'rate_limit',
      values: { file: '0.5', env: '', flag: '1.5' },
      expected: { default: 3, file: 0.5, env: 0.5, flag: 1.5 },
    },
    {
      option: 'maxPages',
      section: 'qa',
      key: 'max_pages',
      values: { file: '10', env: '', flag: 20 },
      expected: { default: 100, file: 10, env: 10, flag: 20 },
    },
    {
      option: 'maxDepth',
      section: 'qa',
      key: 'max_depth',
      values: { file: '0', env: '', flag: '5' },
      expected: { default: 3, file: 0, env: 0, flag: 5 },
    },
  ];

  it.each(cases)('$section.$key', ({ option, section, key, variable, values, expected }) => {
    const read = (withFile: boolean, withEnv: boolean, withFlag: boolean): unknown => {
      rmSync(join(dir, 'flotilla.config.yaml'), { force: true });
      if (withFile) write('flotilla.config.yaml', `${section}:\n  ${key}: ${values.file}\n`);
      const env = withEnv && variable !== undefined ? { [variable]: values.env } : {};
      const flags = withFlag ? { [option]: values.flag } : {};
      return (loadConfig({ cwd: dir, env, flags })[section] as Record<string, unknown>)[key];
    };
    expect(read(false, false, false)).toEqual(expected.default);
    expect(read(true, false, false)).toEqual(expected.file);
    expect(read(true, true, false)).toEqual(expected.env);
    expect(read(true, true, true)).toEqual(expected.flag);
    expect(read(false, true, true)).toEqual(expected.flag);
    if (variable !== undefined) expect(read(false, true, false)).toEqual(expected.env);
  });

  it('ignores an empty environment variable', () => {
    write('flotilla.config.yaml', 'server: { port: 9001, token: t }\n');
    const config = loadConfig({ cwd: dir, env: { FLOTILLA_PORT: '', FLOTILLA_TOKEN: '' } });
    expect(config.server).toMatchObject({ port: 9001, token: 't' });
  });

  it('takes an empty --token as "no token", over the file and the environment', () => {
    write('flotilla.config.yaml', 'server: { token: t }\n');
    const config = loadConfig({ cwd: dir, env: { FLOTILLA_TOKEN: 'e' }, flags: { token: '' } });
    expect(config.server.token).toBeUndefined();
  });
});

describe('loadConfig: home', () => {
  it('is <cwd>/.flotilla by default', () => {
    expect(loadConfig({ cwd: dir, env: {} }).home).toBe(join(dir, '.flotilla'));
  });

  it("takes the file's home relative to the file's folder", () => {
    write('conf/flotilla.yaml', 'home: ../state\n');
    const config = loadConfig({
      cwd: join(dir, 'elsewhere'),
      env: {},
      configFile: join(dir, 'conf/flotilla.yaml'),
    });
    expect(config.home).toBe(join(dir, 'state'));
  });

  it('takes FLOTILLA_HOME over the file, relative to cwd', () => {
    write('flotilla.config.yaml', 'home: from-file\n');
    expect(loadConfig({ cwd: dir, env: { FLOTILLA_HOME: 'from-env' } }).home).toBe(join(dir, 'from-env'));
    expect(loadConfig({ cwd: dir, env: { FLOTILLA_HOME: '/abs/env' } }).home).toBe('/abs/env');
  });

  it('takes --home over everything, relative to cwd', () => {
    write('flotilla.config.yaml', 'home: from-file\n');
    const env = { FLOTILLA_HOME: 'from-env' };
    expect(loadConfig({ cwd: dir, env, flags: { home: 'from-flag' } }).home).toBe(join(dir, 'from-flag'));
    expect(loadConfig({ cwd: dir, env, flags: { home: '/abs/flag' } }).home).toBe('/abs/flag');
  });

  it('expands ${VAR} in the file', () => {
    write('flotilla.config.yaml', 'home: ${STATE:-default-state}/flotilla\n');
    expect(loadConfig({ cwd: dir, env: {} }).home).toBe(join(dir, 'default-state/flotilla'));
    expect(loadConfig({ cwd: dir, env: { STATE: '/var/lib' } }).home).toBe('/var/lib/flotilla');
  });
});

describe('loadConfig: ${VAR} expansion', () => {
  it('expands string values from the given environment, never keys', () => {
    write(
      'flotilla.config.yaml',
      [
        'agents:',
        '  ${NAME}:',
        '    command: [run, "${TOOL}", "--key=${KEY:-none}", "$${LITERAL}", "${MISSING}"]',
        '    env: { API: "${KEY}" }',
        'server:',
        '  host: ${HOST:-0.0.0.0}',
        '',
      ].join('\n'),
    );
    const config = loadConfig({ cwd: dir, env: { TOOL: 'claude', KEY: 'k1', NAME: 'renamed' } });
    expect(config.agents).toEqual({
      '${NAME}': {
        type: 'cli',
        command: ['run', 'claude', '--key=k1', '${LITERAL}', ''],
        env: { API: 'k1' },
      },
    });
    expect(config.server.host).toBe('0.0.0.0');
  });

  it('reads an unquoted expansion as YAML would (a number), a quoted one as a string', () => {
    write(
      'flotilla.config.yaml',
      'server:\n  port: ${PORT}\n  concurrency: ${N:-3}\nqa:\n  rate_limit: ${RATE}\n',
    );
    const config = loadConfig({ cwd: dir, env: { PORT: '9100', RATE: '0.25' } });
    expect(config.server).toMatchObject({ port: 9100, concurrency: 3 });
    expect(config.qa.rate_limit).toBe(0.25);

    write('flotilla.config.yaml', 'server:\n  port: "${PORT}"\n');
    expect(() => loadConfig({ cwd: dir, env: { PORT: '9100' } })).toThrow(
      'flotilla.config.yaml:2:9: server.port: expected an integer from 0 to 65535, got "9100"',
    );
  });

  it('expands an anchored value once, for every alias of it', () => {
    write('flotilla.config.yaml', 'agents:\n  a: &cmd { command: ["${BIN}"] }\n  b: *cmd\n');
    const { agents } = loadConfig({ cwd: dir, env: { BIN: 'aider' } });
    expect(agents.a).toEqual({ type: 'cli', command: ['aider'] });
    expect(agents.b).toEqual({ type: 'cli', command: ['aider'] });
  });
});

describe('loadConfig: inputs', () => {
  it('never changes its options, environment or flags', () => {
    write('flotilla.config.yaml', FULL_EXAMPLE);
    const env = Object.freeze({ FLOTILLA_PORT: '9000', FLOTILLA_TOKEN: 't', ANTHROPIC_API_KEY: 'k' });
    const flags = Object.freeze({ concurrency: '3', home: 'h' });
    const options = Object.freeze({ cwd: dir, env, flags });
    const before = structuredClone(options);
    const config = loadConfig(options);
    expect(options).toEqual(before);
    expect(config.server).toMatchObject({ port: 9000, concurrency: 3, token: 't' });
  });

  it('gives a fresh object each time', () => {
    const first = loadConfig({ cwd: dir, env: {} });
    const second = loadConfig({ cwd: dir, env: {} });
    expect(first).toEqual(second);
    expect(first.server).not.toBe(second.server);
  });
});
