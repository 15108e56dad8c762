import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliAgentProfile } from '../config/index.js';
import { AgentError, runAgent, type AgentRequest } from './index.js';

const NODE = process.execPath;
const FAKE_CLAUDE = fileURLToPath(new URL('./fixtures/fake-claude.mjs', import.meta.url));
const FAKE_CODEX = fileURLToPath(new URL('./fixtures/fake-codex.mjs', import.meta.url));
/** Prints its arguments (after the script) as one JSON line. */
const PRINT_ARGV = 'process.stdout.write(JSON.stringify(process.argv.slice(1)) + "\\n")';

/** Whether `pid` is gone: no such process, or a zombie (exited; a container's PID 1 may never reap it). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] === 'Z';
  } catch {
    return true;
  }
}

/** A CLI profile as the config loader gives it (`type` defaulted). */
function cli(command: string[], extra: Partial<CliAgentProfile> = {}): CliAgentProfile {
  return { type: 'cli', command, ...extra };
}

let workspace: string;
let request: AgentRequest;

beforeEach(() => {
  workspace = realpathSync(mkdtempSync(join(tmpdir(), 'flotilla-agents-')));
  request = { jobId: 'job-1', prompt: 'hello', workspace };
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

describe('runAgent (cli): argv', () => {
  it('passes a prompt full of shell syntax as one inert argument', async () => {
    const prompt = `$(touch pwned) \`touch pwned2\`; rm -rf ~ && echo "quoted" 'single' | cat > out {job_id} \${HOME}`;
    const result = await runAgent(
      cli([NODE, '-e', PRINT_ARGV, '{prompt}', 'id={job_id}', '--cwd={workspace}']),
      { ...request, prompt },
    );
    expect(result.status).toBe('succeeded');
    expect(JSON.parse(result.output)).toEqual([prompt, 'id=job-1', `--cwd=${workspace}`]);
    expect(readdirSync(workspace)).toEqual([]);
    expect(existsSync(join(workspace, 'pwned'))).toBe(false);
  });

  it('runs in the workspace and leaves other braces alone', async () => {
    const result = await runAgent(
      cli([NODE, '-e', 'process.stdout.write(process.cwd() + " " + process.argv[1])', '{other}']),
      request,
    );
    expect(result.output).toBe(`${workspace} {other}`);
  });

  it('writes the prompt to stdin with `stdin: true`', async () => {
    const read =
      'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => process.stdout.write(s))';
    const prompt = 'line one\n$(not run)\nline three';
    const result = await runAgent(cli([NODE, '-e', read], { stdin: true }), { ...request, prompt });
    expect(result.output).toBe(prompt);
  });

  it('refuses a command that is empty after substitution', async () => {
    const run = runAgent(cli(['{prompt}', 'x']), { ...request, prompt: '' });
    await expect(run).rejects.toBeInstanceOf(AgentError);
    await expect(run).rejects.toMatchObject({ code: 'E_AGENT_CONFIG' });
  });

  it('refuses a prompt with a NUL character', async () => {
    const run = runAgent(cli([NODE, '-e', '', '{prompt}']), { ...request, prompt: 'a\0b' });
    await expect(run).rejects.toMatchObject({ code: 'E_AGENT_REQUEST' });
  });
});

describe('runAgent (cli): environment', () => {
  const PRINT_ENV =
    'const e = process.env; process.stdout.write(JSON.stringify([e.GREETING, e.FALLBACK, e.LITERAL, e.JOB_VAR, e.KEEP, e.API_KEY]))';

  it('expands ${VAR} in the profile env over the process env and the job env', async () => {
    const profile = cli([NODE, '-e', PRINT_ENV], {
      env: {
        GREETING: 'hello ${NAME}',
        FALLBACK: '${MISSING:-default}',
        LITERAL: '$$HOME and $HOME',
        API_KEY: 'from-profile',
      },
    });
    const result = await runAgent(
      profile,
      { ...request, env: { JOB_VAR: 'from-job', NAME: 'job name', API_KEY: 'from-job' } },
      { env: { NAME: 'world', KEEP: 'inherited', MISSING: '' } },
    );
    expect(JSON.parse(result.output)).toEqual([
      'hello job name',
      'default',
      '$HOME and $HOME',
      'from-job',
      'inherited',
      'from-profile',
    ]);
  });

  it('refuses a malformed ${ in the profile env', async () => {
    const run = runAgent(cli([NODE, '-e', ''], { env: { BAD: '${UNCLOSED' } }), request);
    await expect(run).rejects.toMatchObject({ code: 'E_AGENT_CONFIG', message: /env\.BAD/ });
  });

  it('never quotes a profile env value in the error: it is a secret', async () => {
    const profile = cli([NODE, '-e', ''], { env: { API_KEY: 'sk-live-1234${UNCLOSED:-sk-default-5678' } });
    const error: unknown = await runAgent(profile, request).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_AGENT_CONFIG', message: /env\.API_KEY/ });
    expect((error as Error).message).not.toMatch(/sk-live|sk-default|1234|5678/);
  });
});

describe('runAgent (cli): how the run ended', () => {
  it('fails with the exit code and keeps the tail of both streams', async () => {
    const script = 'console.log("out"); console.error("err"); process.exitCode = 3';
    const result = await runAgent(cli([NODE, '-e', script]), request);
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, signal: null, rateLimited: false });
    expect(result.error).toBe('the agent exited with code 3');
    expect(result.tail).toEqual(expect.arrayContaining(['out', 'err']));
    expect(result.output).toBe('out');
  });

  it('times out after timeoutMs, which overrides timeout_s', async () => {
    const profile = cli([NODE, '-e', 'console.log("started"); setInterval(() => {}, 1000)'], {
      timeout_s: 3600,
    });
    const result = await runAgent(profile, { ...request, timeoutMs: 200 });
    expect(result.status).toBe('timed_out');
    expect(result.error).toBe('timed out after 200 ms');
  });

  it('is stalled after idleTimeoutMs without output, which overrides idle_timeout_s; its tree is killed', async () => {
    // Prints the pid of a grandchild that sleeps, then waits for it in silence.
    const profile = cli(['sh', '-c', 'sleep 1000 & echo $!; wait'], { idle_timeout_s: 3600 });
    const result = await runAgent(profile, { ...request, idleTimeoutMs: 300 });
    expect(result).toMatchObject({ status: 'stalled', rateLimited: false, signal: 'SIGTERM' });
    expect(result.error).toBe('no output for 0.3 s (idle timeout)');
    const grandchild = Number(result.tail[0]);
    expect(grandchild).toBeGreaterThan(1);
    expect(isGone(grandchild)).toBe(true);
  });

  it('takes the idle timeout from idle_timeout_s, counted from the start', async () => {
    const result = await runAgent(cli(['sleep', '1000'], { idle_timeout_s: 0.3 }), request);
    expect(result.status).toBe('stalled');
    expect(result.error).toBe('no output for 0.3 s (idle timeout)');
  });

  it('is not stalled while it keeps writing, however long it runs in total', async () => {
    // 20 lines 0.1 s apart: 2 s in all, under a 1.5 s idle timeout.
    const script =
      'let n = 0; const t = setInterval(() => { console.log(n++); if (n === 20) clearInterval(t); }, 100)';
    const result = await runAgent(cli([NODE, '-e', script], { idle_timeout_s: 1.5 }), request);
    expect(result.status).toBe('succeeded');
    expect(result.durationMs).toBeGreaterThan(1_500);
  });

  it('is cancelled by its signal once it runs, and streams lines as they come', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const result = await runAgent(
      cli([NODE, '-e', 'console.log("started"); setInterval(() => {}, 1000)']),
      request,
      {
        signal: controller.signal,
        onLine: (stream, line) => {
          lines.push(`${stream}:${line}`);
          controller.abort();
        },
      },
    );
    expect(result.status).toBe('cancelled');
    expect(lines).toEqual(['stdout:started']);
  });

  it('rejects with the reason when the signal is already aborted', async () => {
    const reason = new Error('stop');
    await expect(
      runAgent(cli([NODE, '-e', '']), request, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });
});

describe('runAgent (cli): output formats', () => {
  it('claude-stream-json: the result message, tokens and cost', async () => {
    const profile = cli([NODE, FAKE_CLAUDE, 'ok', '{prompt}'], { output: 'claude-stream-json' });
    const result = await runAgent(profile, request);
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('Done: hello');
    expect(result.usage).toEqual({
      inputTokens: 1200,
      outputTokens: 250,
      cacheReadTokens: 4500,
      cacheWriteTokens: 300,
      costUsd: 0.0123,
    });
  });

  it('claude-stream-json: is_error fails a run that exits 0', async () => {
    const profile = cli([NODE, FAKE_CLAUDE, 'error'], {
      output: 'claude-stream-json',
      retry: { on_output: ['overloaded'] },
    });
    const result = await runAgent(profile, request);
    expect(result).toMatchObject({ status: 'failed', exitCode: 0, error: 'API Error: overloaded' });
    expect(result.rateLimited).toBe(true);
  });

  it('codex-json: the last agent message and the usage summed over turns', async () => {
    const result = await runAgent(cli([NODE, FAKE_CODEX], { output: 'codex-json' }), request);
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('Final answer');
    expect(result.usage).toEqual({ inputTokens: 1500, outputTokens: 150, cacheReadTokens: 1000 });
  });

  it('codex-json: the earlier protocol', async () => {
    const result = await runAgent(cli([NODE, FAKE_CODEX, 'legacy'], { output: 'codex-json' }), request);
    expect(result.output).toBe('Legacy answer');
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 6, cacheReadTokens: 4 });
  });

  it('text: stdout only, no usage', async () => {
    const script = 'console.log("a"); console.error("noise"); console.log("b")';
    const result = await runAgent(cli([NODE, '-e', script], { output: 'text' }), request);
    expect(result.output).toBe('a\nb');
    expect(result.usage).toBeUndefined();
  });
});
