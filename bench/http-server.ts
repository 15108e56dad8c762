import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `flotilla serve` from `dist/` (what an installed Flotilla runs), in `dir`, with one agent profile. */
export interface ServedFlotilla {
  readonly url: string;
  readonly pid: number;
  /** The server process's resident memory now, in MB (Linux; `NaN` elsewhere). */
  rssMb(): number;
  /** `POST path` with a JSON body; rejects unless the answer is `status`. */
  post(path: string, body: unknown, status?: number): Promise<unknown>;
  get(path: string): Promise<unknown>;
  /** Resolves once the server runs and queues nothing. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

export const DIST_BIN = new URL('../dist/cli/bin.js', import.meta.url).pathname;

/** Starts the server on a free port; `agent` is the argv of the profile `trivial`. */
export async function serveFlotilla(
  dir: string,
  agent: readonly string[],
  options: { concurrency: number; maxQueue: number },
): Promise<ServedFlotilla> {
  writeFileSync(
    join(dir, 'flotilla.config.yaml'),
    `agents:\n  trivial:\n    type: cli\n    command: ${JSON.stringify(agent)}\n`,
  );
  const args = ['serve', '--port', '0', '--home', join(dir, 'home')];
  args.push('--concurrency', String(options.concurrency), '--max-queue', String(options.maxQueue));
  const child = spawn(process.execPath, [DIST_BIN, ...args], {
    cwd: dir,
    // Its stderr (the shutdown notice) is shown only if it fails to start.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await listening(child);
  const request = async (method: string, path: string, body?: unknown, status = 200): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const json: unknown = await response.json();
    if (response.status !== status)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    url,
    pid: child.pid!,
    rssMb: () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
      } catch {
        return Number.NaN;
      }
    },
    post: (path, body, status = 202) => request('POST', path, body, status),
    get: (path) => request('GET', path),
    drained: async () => {
      for (;;) {
        const health = (await request('GET', '/health')) as { active: number; queued: number };
        if (health.active === 0 && health.queued === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url !== undefined) resolve(url);
    });
    child.once('close', (code) => reject(new Error(`flotilla serve exited (${code}): ${output}`)));
  });
}
