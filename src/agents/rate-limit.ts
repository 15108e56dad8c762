import type { RetryPolicy } from '../config/index.js';

/** HTTP statuses that mean "the provider is busy or limiting you; try again later". */
export const RATE_LIMIT_STATUSES: ReadonlySet<number> = new Set([429, 503, 529]);

/**
 * Tells whether a failed run failed on its provider's rate limit, by the profile's `retry` policy: its exit
 * code is one of `on_exit`, or a line of its output (either stream) contains one of `on_output`, compared
 * case-insensitively. Lines are checked as they arrive; nothing is kept.
 */
export class RateLimitDetector {
  readonly #exitCodes: ReadonlySet<number>;
  readonly #patterns: readonly string[];
  #matched = false;

  constructor(policy: RetryPolicy | undefined) {
    this.#exitCodes = new Set(policy?.on_exit ?? []);
    this.#patterns = (policy?.on_output ?? []).map((pattern) => pattern.toLowerCase());
  }

  /** Reads one line of output. */
  push(line: string): void {
    if (this.#matched || this.#patterns.length === 0) return;
    this.#matched = matchesAny(line, this.#patterns);
  }

  /** Whether a run that failed with `exitCode` was rate limited. */
  rateLimited(exitCode: number | null): boolean {
    return this.#matched || (exitCode !== null && this.#exitCodes.has(exitCode));
  }
}

/** Whether `text` contains one of the `on_output` patterns of `policy`, case-insensitively. */
export function matchesOutputPattern(text: string, policy: RetryPolicy | undefined): boolean {
  const patterns = (policy?.on_output ?? []).map((pattern) => pattern.toLowerCase());
  return patterns.length > 0 && matchesAny(text, patterns);
}

function matchesAny(text: string, lowerCasePatterns: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return lowerCasePatterns.some((pattern) => lower.includes(pattern));
}
