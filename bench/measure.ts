/** Timing helpers for the bench: whole-call wall time on the monotonic clock, medians over rounds. */

export interface Measurement {
  readonly name: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** Runs `fn` `warmup` times unmeasured, then `rounds` times measured. */
export async function measure(
  name: string,
  fn: () => Promise<unknown>,
  rounds = 7,
  warmup = 2,
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { name, medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]!, maxMs: times.at(-1)! };
}

/** One contender of `compare`: the measured `fn`, and an unmeasured cleanup after each run. */
export interface Contender {
  readonly name: string;
  readonly fn: () => Promise<unknown>;
  /** Runs after each measured run, outside the timing (a release, an `rm -rf`). */
  readonly after?: () => Promise<unknown>;
}

/** Runs the measurements interleaved round by round, so drift on the machine hits every contender alike. */
export async function compare(contenders: readonly Contender[], rounds = 7): Promise<Measurement[]> {
  const times = contenders.map(() => [] as number[]);
  for (const { fn, after } of contenders) {
    await fn();
    await after?.();
  }
  for (let round = 0; round < rounds; round++) {
    for (const [i, { fn, after }] of contenders.entries()) {
      const start = performance.now();
      await fn();
      times[i]!.push(performance.now() - start);
      await after?.();
    }
  }
  return contenders.map(({ name }, i) => {
    const sorted = times[i]!.sort((a, b) => a - b);
    return {
      name,
      medianMs: sorted[Math.floor(sorted.length / 2)]!,
      minMs: sorted[0]!,
      maxMs: sorted.at(-1)!,
    };
  });
}

export function formatRate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

/** Prints rows as an aligned table. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
