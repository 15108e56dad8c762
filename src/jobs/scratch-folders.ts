import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Working folders for jobs that name no repository. A folder the agent left empty is kept for the next
 * job — creating and removing a folder costs more than the rest of a trivial job's bookkeeping — and one
 * with anything in it is removed, so no job ever sees another's files.
 */
export class ScratchFolders {
  readonly #root: string;
  readonly #free: string[] = [];
  #next = 0;

  constructor(root: string) {
    this.#root = root;
  }

  acquire(): string {
    const recycled = this.#free.pop();
    if (recycled !== undefined) return recycled;
    const path = join(this.#root, `${process.pid}-${this.#next++}`);
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path, { recursive: true });
    return path;
  }

  release(path: string): void {
    let empty = false;
    try {
      empty = readdirSync(path).length === 0;
    } catch {
      return;
    }
    if (empty) this.#free.push(path);
    else rmSync(path, { recursive: true, force: true });
  }

  /** Removes every folder, kept or not (at shutdown). */
  clear(): void {
    this.#free.length = 0;
    rmSync(this.#root, { recursive: true, force: true });
  }
}
