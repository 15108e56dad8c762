/** Runs every queued microtask (promise callbacks) without advancing fake timers. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
