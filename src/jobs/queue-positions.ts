/**
 * Which jobs wait, and how many at each priority, kept beside the `Limiter`'s queue: the place of a job
 * just queued (the answer of every `POST /v1/jobs`) then costs a few additions instead of a count over
 * the queue in SQLite, which grows with the queue.
 */
export class QueuePositions {
  readonly #priorities = new Map<string, number>();
  readonly #waiting = new Map<number, number>();

  /** Job `id` of `priority` was queued. */
  add(id: string, priority: number): void {
    if (this.#priorities.has(id)) return;
    this.#priorities.set(id, priority);
    this.#waiting.set(priority, (this.#waiting.get(priority) ?? 0) + 1);
  }

  /** Job `id` left the queue: it started, or was cancelled while waiting (nothing when it was not queued). */
  remove(id: string): void {
    const priority = this.#priorities.get(id);
    if (priority === undefined) return;
    this.#priorities.delete(id);
    const left = this.#waiting.get(priority)! - 1;
    if (left > 0) this.#waiting.set(priority, left);
    else this.#waiting.delete(priority);
  }

  /**
   * The 1-based place of the job queued last at `priority`: after every waiting job of a higher priority
   * and every earlier one of its own (the order jobs start in, as `JobRepository.queuePosition` counts).
   */
  ofLast(priority: number): number {
    let ahead = 0;
    for (const [waiting, count] of this.#waiting) if (waiting >= priority) ahead += count;
    return ahead;
  }
}
