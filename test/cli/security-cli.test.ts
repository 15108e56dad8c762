import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-security-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** No token from the developer's own environment. */
const NO_TOKEN = { FLOTILLA_TOKEN: '', FLOTILLA_HOST: '' };

describe('--help', () => {
  it('names no document users do not have (the commands’ own help is walked in src/cli/help.test.ts)', async () => {
    for (const args of [['--help'], ['serve', '--help']]) {
      const { code, stdout } = await runCli(args, { cwd: dir });
      expect(code).toBe(0);
      expect(stdout).toContain('Usage: flotilla');
      expect(stdout).not.toMatch(/DESIGN/i);
    }
  });
});

describe('flotilla serve', () => {
  it('refuses a non-loopback address without a token as a usage error (2), before it opens the home', async () => {
    const home = join(dir, 'home');
    const { code, stdout, stderr } = await runCli(
      ['serve', '--host', '0.0.0.0', '--port', '0', '--home', home],
      {
        cwd: dir,
        env: NO_TOKEN,
      },
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Refusing to listen on 0.0.0.0 without a token');
    expect(stderr).toContain('--token');
    expect(existsSync(home)).toBe(false);
  });
});

describe('configuration errors about secrets', () => {
  it('say what was expected of server.token, never the value found', async () => {
    writeFileSync(join(dir, 'flotilla.config.yaml'), 'server:\n  token: 12345\n');
    const { code, stderr } = await runCli(['serve', '--port', '0', '--home', join(dir, 'home')], {
      cwd: dir,
      env: NO_TOKEN,
    });
    expect(code).toBe(2);
    expect(stderr).toContain('flotilla.config.yaml:2:10: server.token: expected a string, got a number');
    expect(stderr).not.toContain('12345');
  });

  it('never show an agent’s env values or an API key pasted where its variable’s name belongs', async () => {
    /** `runs list` on a configuration of two agents whose `env` is `env`. */
    const withEnv = (env: string) => {
      const config = [
        'agents:',
        '  cli:',
        '    command: [echo]',
        `    env: ${env}`,
        '  remote:',
        '    type: openai',
        '    base_url: http://127.0.0.1:1/v1',
        '    model: m',
        '    api_key_env: sk-proj-abc123-def',
        '',
      ];
      writeFileSync(join(dir, 'flotilla.config.yaml'), config.join('\n'));
      return runCli(['runs', 'list', '--home', join(dir, 'home')], { cwd: dir, env: NO_TOKEN });
    };
    const expansion = await withEnv('{ API_KEY: 98765432, BAD: "sk-half-${oops" }');
    expect(expansion.code).toBe(2);
    expect(expansion.stderr).toContain('agents.cli.env.BAD:');
    expect(expansion.stderr).not.toContain('sk-half');

    const { code, stderr } = await withEnv('{ API_KEY: 98765432, OTHER: [sk-in-a-list-4242] }');
    expect(code).toBe(2);
    expect(stderr).toContain('agents.cli.env.API_KEY: expected a string, got a number (not shown: a secret)');
    expect(stderr).toContain('agents.cli.env.OTHER: expected a string, got a list');
    expect(stderr).toContain(
      'agents.remote.api_key_env: expected an environment variable name, got a string',
    );
    for (const secret of ['98765432', 'sk-in-a-list', 'sk-proj']) expect(stderr).not.toContain(secret);
  });
});
