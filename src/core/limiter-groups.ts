import { assertCount } from './validate.js';

/** One group of a `Limiter`: its limit and how many of its tasks run. */
export interface Group {
  limit: number;
  active: number;
}

/**
 * The groups of a `Limiter` (an agent, a provider), each with its own limit under the global one. Knows
 * whether any limit is finite: while none is, the queue's head can always go next.
 */
export class Groups {
  readonly #groups = new Map<string, Group>();
  #capped = 0;

  /** Whether some group has a finite limit. */
  get capped(): boolean {
    return this.#capped !== 0;
  }

  /** The group named `name`, made (without a limit) when it is new. */
  get(name: string): Group {
    let group = this.#groups.get(name);
    if (group === undefined) {
      group = { limit: Infinity, active: 0 };
      this.#groups.set(name, group);
    }
    return group;
  }

  /** The group named `name` if it exists. */
  find(name: string): Group | undefined {
    return this.#groups.get(name);
  }

  /** Sets the limit of `name`: an integer ≥ 1, or `Infinity` for none. */
  setLimit(name: string, limit: number): void {
    const checked = assertCount('limit', limit, 1, true);
    const group = this.get(name);
    this.#capped += Number(checked !== Infinity) - Number(group.limit !== Infinity);
    group.limit = checked;
  }
}

/** Whether a task of `group` (none: no group) may start as far as its group goes. */
export function hasRoom(group: Group | undefined): boolean {
  return group === undefined || group.active < group.limit;
}
