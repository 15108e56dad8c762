import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { processesWithEnvironment } from './environment-scan.js';

const children: number[] = [];
afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Starts `sh` that backgrounds a grandchild; resolves with both pids. */
function startTree(env: Record<string, string>): Promise<{ child: number; grandchild: number }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', 'sleep 1000 & echo $!; wait'], { env: { ...process.env, ...env } });
    child.stdout.once('data', (chunk: Buffer) => {
      const grandchild = Number(chunk.toString().trim());
      children.push(child.pid!, grandchild);
      resolve({ child: child.pid!, grandchild });
    });
  });
}

describe('processesWithEnvironment', () => {
  it('finds a marked process and its descendants, and nothing else', async () => {
    const marked = await startTree({ FLOTILLA_JOB_ID: 'job_scan_a', FLOTILLA_HOME: '/h1' });
    const other = await startTree({ FLOTILLA_JOB_ID: 'job_scan_b', FLOTILLA_HOME: '/h1' });
    const found = await processesWithEnvironment({ FLOTILLA_JOB_ID: 'job_scan_a', FLOTILLA_HOME: '/h1' });
    expect(found).toEqual([marked.child, marked.grandchild].sort((a, b) => a - b));
    expect(found).not.toContain(other.child);
    expect(
      await processesWithEnvironment({ FLOTILLA_JOB_ID: 'job_scan_a', FLOTILLA_HOME: '/elsewhere' }),
    ).toEqual([]);
  });
});
