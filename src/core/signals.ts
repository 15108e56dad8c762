/** A signal that never aborts: what a task gets when its caller gave none (one object, no per-call cost). */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;
