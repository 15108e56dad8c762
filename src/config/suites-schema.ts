import { z } from 'zod';

/*
 * `suites:` of flotilla.config.yaml: the test suites `flotilla suites` runs and how. Like schema.ts, every
 * schema carries the phrase that completes "expected …" in an error.
 */

/** The report formats a suite may declare. */
export const SUITE_REPORT_FORMATS = ['junit', 'ctrf', 'vitest-json', 'playwright-json', 'jest-json'] as const;

/**
 * A suite's name: a letter, then letters, digits, `_`, `.` or `-`. It names the suite's folder in the
 * evidence, and starting with a letter keeps it from being an integer key, which JavaScript would reorder
 * before the others (results are reported in the declared order).
 */
export const SUITE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

const argv = z
  .array(z.string({ error: 'expected a string' }), {
    error: 'expected a non-empty list of strings (an argv)',
  })
  .min(1);
const seconds = z.number({ error: 'expected a number of seconds > 0' }).positive();
const retries = z.number({ error: 'expected an integer ≥ 0' }).int().min(0);
const flag = z.boolean({ error: 'expected true or false' });

function mapping<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown key (expected one of: ${known})` : 'expected a mapping',
  });
}

/** The report a suite writes, which its status is read from. */
export const suiteReportSchema = mapping({
  format: z.enum(SUITE_REPORT_FORMATS, { error: `expected one of: ${SUITE_REPORT_FORMATS.join(', ')}` }),
  /**
   * Where the report is written: `{out}` is the attempt's fresh output folder. A path outside it is
   * relative to the suite's `cwd`, and read only when the attempt itself wrote it.
   */
  path: z.string({ error: 'expected a non-empty path' }).min(1),
});

/** One suite: a command that runs tests and, usually, writes a report. */
export const suiteSchema = mapping({
  /** argv; `{out}` is replaced by a fresh, empty folder for each attempt (also in `FLOTILLA_OUT_DIR`). */
  command: argv,
  /** The working folder; relative to the configuration file's folder. @default that folder */
  cwd: z.string({ error: 'expected a non-empty path' }).min(1).optional(),
  /** Variables added to the environment of the suite's processes. */
  env: z
    .record(z.string(), z.string({ error: 'expected a string' }), {
      error: 'expected a mapping of names to values',
    })
    .optional(),
  /** Seconds an attempt may run; then its whole process group is stopped (SIGTERM, then SIGKILL). */
  timeout_s: seconds.optional(),
  /** Seconds an attempt may go without writing anything before it is stopped like a timeout. */
  idle_timeout_s: seconds.optional(),
  /** Attempts after a failed one (overrides the run's `retries`). */
  retries: retries.optional(),
  /** The report the suite writes; without one, the exit code alone decides and no tests are counted. */
  report: suiteReportSchema.optional(),
  /** Suites that must pass before this one starts (a build, a database migration). */
  depends_on: z
    .array(z.string({ error: 'expected a suite name' }), { error: 'expected a list of suite names' })
    .optional(),
  /** `false` leaves the suite out of runs unless it is asked for by name. */
  enabled: flag.default(true),
  description: z.string({ error: 'expected a string' }).optional(),
});

/** `suites:`: the run's settings and the suites, in the order they are reported. */
export const suitesConfigSchema = mapping({
  /** Run suites at the same time (`false`: one after the other, in the declared order). */
  parallel: flag.default(true),
  /** Suites at once. @default the number of suites, at most the number of CPUs */
  max_workers: z.number({ error: 'expected an integer ≥ 1' }).int().min(1).optional(),
  /** Attempts after a failed one, for every suite that sets none. */
  retries: retries.default(0),
  /** Stop starting suites after the first one that does not pass. */
  fail_fast: flag.default(false),
  /** Runs whose per-test results are kept for flake rates and the slowest tests. */
  history_runs: z.number({ error: 'expected an integer ≥ 1' }).int().min(1).default(200),
  /** The suites by name, in the order they are reported. */
  run: z
    .record(z.string().regex(SUITE_NAME), suiteSchema, {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? 'expected a suite name: a letter, then letters, digits, "_", "." or "-"'
          : 'expected a mapping of suite names to suites',
    })
    .default({})
    .superRefine((suites, context) => {
      const names = Object.keys(suites);
      for (const [name, suite] of Object.entries(suites)) {
        for (const [index, dependency] of (suite.depends_on ?? []).entries()) {
          const others = names.filter((other) => other !== name);
          if (dependency === name || !Object.hasOwn(suites, dependency)) {
            context.addIssue({
              code: 'custom',
              path: [name, 'depends_on', index],
              message: `expected the name of another suite (${others.length === 0 ? 'there is none' : `one of: ${others.join(', ')}`})`,
            });
          }
        }
      }
      const cycle = dependencyCycle(suites);
      if (cycle !== undefined) {
        const [first, second] = cycle as [string, string];
        context.addIssue({
          code: 'custom',
          path: [first, 'depends_on', suites[first]?.depends_on?.indexOf(second) ?? 0],
          message: `expected a suite that does not lead back to "${first}" (a dependency cycle: ${cycle.join(' → ')})`,
        });
      }
    }),
});

/** The first cycle among `depends_on`, as names from a suite back to itself; `undefined` when none. */
function dependencyCycle(
  suites: Readonly<Record<string, { readonly depends_on?: readonly string[] | undefined }>>,
): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const at = path.indexOf(name);
    if (at >= 0) return [...path.slice(at), name];
    if (done.has(name) || !Object.hasOwn(suites, name)) return undefined;
    path.push(name);
    for (const dependency of suites[name]?.depends_on ?? []) {
      if (dependency === name) continue; // reported on its own
      const cycle = visit(dependency);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    done.add(name);
    return undefined;
  };
  for (const name of Object.keys(suites)) {
    const cycle = visit(name);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/** The `suites:` section, defaults applied. */
export type SuitesConfig = z.output<typeof suitesConfigSchema>;
/** One suite of `suites.run`. */
export type SuiteConfig = z.output<typeof suiteSchema>;
/** A suite's report: its format and path. */
export type SuiteReportConfig = z.output<typeof suiteReportSchema>;
/** A format `report.format` may name. */
export type SuiteReportFormat = (typeof SUITE_REPORT_FORMATS)[number];
