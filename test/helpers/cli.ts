import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { onTestFinished } from 'vitest';

const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
/** tsx's loader as a URL: `--import tsx` would resolve from the child's cwd, a temp folder. */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the real CLI (from source, through tsx) as a child process. */
export function startCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  /** Resolves once stdout contains `text`; rejects if the CLI ends first. */
  const waitForOutput = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (stdout.includes(text)) resolve();
      };
      child.stdout.on('data', check);
      check();
      void done.then(({ code }) =>
        reject(new Error(`CLI exited (${code}) before printing "${text}": ${stderr}`)),
      );
    });
  return { child, done, output: () => stdout, errors: () => stderr, waitForOutput };
}

/** Runs the CLI to the end. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * Starts `flotilla serve` on a free port with `args` (its `--home`, say) and resolves to its URL once it
 * listens; the server is killed when the test ends.
 */
export async function startServe(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const server = startCli(['serve', '--port', '0', ...args], options);
  onTestFinished(() => void server.child.kill('SIGKILL'));
  await server.waitForOutput('listening on');
  return /listening on (http:\/\/\S+)/.exec(server.output())![1]!;
}

/** An answer the terminal types once the CLI has printed `after` (since the previous answer). */
export interface TerminalAnswer {
  readonly after: string;
  readonly type: string;
}

/**
 * Runs the CLI on a pseudo-terminal (util-linux's `script`, part of every Debian), typing each answer
 * once its prompt shows, so that the paths taken only at a terminal (questions, gate choices) run as a
 * user meets them. Everything the CLI writes arrives as one stream, with the terminal's control codes.
 * Rejects when the CLI ends before every answer was typed.
 */
export function runCliInTerminal(
  args: readonly string[],
  answers: readonly TerminalAnswer[],
  options: { cwd?: string } = {},
): Promise<{ code: number | null; screen: string }> {
  const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, '--import', TSX_LOADER, BIN, ...args].map(quote).join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, NO_COLOR: '1', CI: undefined, TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onTestFinished(() => void child.kill('SIGKILL'));
  const pending = [...answers];
  let screen = '';
  let unread = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    screen += chunk;
    unread += chunk;
    const next = pending[0];
    if (next !== undefined && unread.includes(next.after)) {
      pending.shift();
      unread = '';
      child.stdin.write(`${next.type}\r`);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending.length > 0)
        reject(new Error(`CLI exited (${code}) waiting for "${pending[0]!.after}": ${screen}`));
      else resolve({ code, screen });
    });
  });
}
