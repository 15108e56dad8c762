import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process is alive: it exists and is not a zombie (an orphan nobody has reaped yet is dead). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The live children of process `pid` (from `/proc`; empty where it cannot be read). */
export function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return Number(fields[1]) === pid && fields[0] !== 'Z' ? [Number(name)] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
}
