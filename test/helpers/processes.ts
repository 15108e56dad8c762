import { readFileSync } from 'node:fs';

/** Whether a process is alive: it exists and is not a zombie (an orphan nobody has reaped yet is dead). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
